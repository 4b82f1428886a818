"""Held-out topic sets: queries of the same kinds as the dev sets, on other articles.

Ranking is tuned on `../shared/eval`'s dev topics; these sets say whether a change
helps visitors in general or only those topics.  They are made afresh from MedQuAD
on every run (a fixed seed, so every run asks the same questions), never from the
dev topics' articles or condition names:

* heldout-kw: the dev recipe (condition name, lower-cased, + the qtype's keyword);
* heldout-typo: those queries with one typo in one word of 5+ letters of the name;
* heldout-wording: the same pairs asked with other words visitors use ("signs of",
  "how to treat", "is it hereditary"), the name before or after them;
* heldout-questions: the NIH sites' own questions ("What are the treatments for ...?").

Judgments follow the dev sets: the pair's article rel 2, every other article of the
same name rel 1, and the pair's qtype as the section target.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import TopicSet
from indexer.article import ParseError
from indexer.sources.files import discover, read_article
from indexer.sources.medquad import source_questions

SEED = 20261201
KW_TOPICS = 600
TYPO_TOPICS = 300
WORDING_TOPICS = 400
QUESTION_TOPICS = 400

# qtype -> the keyword of the dev recipe (eval/README.md).
KEYWORDS: dict[str, str] = {
    "information": "",
    "symptoms": "symptoms",
    "causes": "causes",
    "treatment": "treatment",
    "prevention": "prevention",
    "exams and tests": "diagnosis",
    "outlook": "prognosis",
    "complications": "complications",
    "inheritance": "inherited",
    "genetic changes": "genetic cause",
    "frequency": "how common",
    "susceptibility": "risk",
    "research": "research",
}

# qtype -> other ways of asking; "{}" is the condition name.
WORDINGS: dict[str, tuple[str, ...]] = {
    "information": ("what is {}", "{} overview", "about {}", "{} definition"),
    "symptoms": ("signs of {}", "{} signs and symptoms", "what are the symptoms of {}", "{} warning signs"),
    "causes": ("what causes {}", "{} cause", "why do people get {}", "reasons for {}"),
    "treatment": ("how to treat {}", "{} cure", "{} medication", "{} therapy", "remedies for {}", "{} drugs"),
    "prevention": ("how to prevent {}", "can {} be prevented", "avoid {}", "{} vaccine"),
    "exams and tests": ("{} test", "how is {} diagnosed", "{} screening", "diagnosing {}"),
    "outlook": ("{} life expectancy", "{} outlook", "{} survival rate", "is {} fatal"),
    "complications": ("{} complications", "dangers of {}", "what happens if {} is untreated"),
    "inheritance": ("is {} hereditary", "is {} passed down", "{} inheritance", "does {} run in families"),
    "genetic changes": ("{} gene", "what gene causes {}", "{} mutation", "{} genetics"),
    "frequency": ("how rare is {}", "{} prevalence", "how many people have {}"),
    "susceptibility": ("who gets {}", "{} risk factors", "who is at risk for {}"),
    "research": ("{} clinical trials", "{} studies", "new treatments for {}"),
}

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@dataclass(frozen=True)
class Pair:
    """One answered question of one article: what a topic is made from."""

    doc_id: str
    title: str
    qtype: str
    question: str


Topic = tuple[str, str, Pair]  # qid, query, the pair it was made from


def heldout_sets(medquad: Path, eval_dir: Path, work: Path, quick: bool = False) -> list[TopicSet]:
    """The four held-out sets, written under `work/heldout`; with `quick`, 100 topics each."""
    pairs, names = _pairs(medquad)
    dev_names = _dev_names(eval_dir, pairs)
    pool = [pair for pair in pairs if name_of(pair.title) not in dev_names and pair.qtype in KEYWORDS]
    rng = random.Random(SEED)
    size = (lambda n: min(n, 100)) if quick else (lambda n: n)
    kw = _one_per_name(rng, pool, size(KW_TOPICS))
    folder = work / "heldout"
    folder.mkdir(parents=True, exist_ok=True)
    kw_topics = [(f"hokw-{i:03d}", _keyword_query(pair), pair) for i, pair in enumerate(kw, 1)]
    typo_topics = [(qid, typo, pair) for qid, query, pair in kw_topics if (typo := _typo(rng, query, pair))]
    used = set(kw)
    rest = [pair for pair in pool if pair not in used]
    wording = _one_per_name(rng, rest, size(WORDING_TOPICS))
    wording_topics = _numbered("howd", wording, lambda pair: _worded_query(rng, pair))
    used |= set(wording)
    questions = _one_per_name(rng, [pair for pair in rest if pair not in used], size(QUESTION_TOPICS))
    question_topics = _numbered("hoqu", questions, lambda pair: " ".join(pair.question.split()))
    return [
        _write(folder, "heldout-kw", kw_topics, names),
        _write(folder, "heldout-typo", typo_topics[: size(TYPO_TOPICS)], names),
        _write(folder, "heldout-wording", wording_topics, names),
        _write(folder, "heldout-questions", question_topics, names),
    ]


def _numbered(prefix: str, pairs: list[Pair], query: Callable[[Pair], str]) -> list[Topic]:
    return [(f"{prefix}-{i:03d}", query(pair), pair) for i, pair in enumerate(pairs, 1)]


def name_of(title: str) -> str:
    """A condition name compared as the dev judgments compare it: lower-cased, punctuation ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", title.lower()).split())


def _pairs(medquad: Path) -> tuple[list[Pair], dict[str, list[str]]]:
    """Every answered pair of every article, and the articles of each name."""
    pairs: list[Pair] = []
    names: dict[str, list[str]] = defaultdict(list)
    for file in discover(medquad):
        try:
            article = read_article(file)
        except ParseError:
            continue
        names[name_of(article.title)].append(article.id)
        questions = source_questions(file.path.read_bytes())
        for section, question in zip(article.sections, questions, strict=True):
            pairs.append(Pair(article.id, article.title, section.qtype or "", question))
    return pairs, names


def _dev_names(eval_dir: Path, pairs: list[Pair]) -> set[str]:
    """The condition names the dev topics ask about; held-out topics use none of them."""
    titles = {pair.doc_id: name_of(pair.title) for pair in pairs}
    lines = (eval_dir / "medquad-kw-dev.qrels").read_text(encoding="utf-8").split("\n")
    return {titles[parts[2]] for line in lines if len(parts := line.split()) == 4 and parts[2] in titles}


def _one_per_name(rng: random.Random, pool: list[Pair], count: int) -> list[Pair]:
    """A sample of pairs in proportion to how often each qtype and source occurs, one per name."""
    shuffled = pool[:]
    rng.shuffle(shuffled)
    chosen: list[Pair] = []
    seen: set[str] = set()
    for pair in shuffled:
        name = name_of(pair.title)
        if name in seen or not name:
            continue
        seen.add(name)
        chosen.append(pair)
        if len(chosen) == count:
            break
    return chosen


def _keyword_query(pair: Pair) -> str:
    return " ".join(f"{pair.title.lower()} {KEYWORDS[pair.qtype]}".split())


def _worded_query(rng: random.Random, pair: Pair) -> str:
    return rng.choice(WORDINGS[pair.qtype]).format(pair.title.lower())


def _typo(rng: random.Random, query: str, pair: Pair) -> str | None:
    """The query with one typo in a 5+ letter word of the name, as the dev typo set makes them."""
    words = pair.title.lower().split()
    candidates = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return None
    index = rng.choice(candidates)
    word = words[index]
    op = rng.choice(("drop", "swap", "replace"))
    position = rng.randrange(1, len(word) - (op == "swap"))
    if op == "drop":
        if position == len(word) - 1 and word.endswith("s"):
            position -= 1
        typo = word[:position] + word[position + 1 :]
    elif op == "swap":
        typo = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    else:
        typo = word[:position] + rng.choice(_neighbours(word[position])) + word[position + 1 :]
    if typo == word:
        return None
    words[index] = typo
    return query.replace(pair.title.lower(), " ".join(words), 1)


def _neighbours(letter: str) -> str:
    for row_index, row in enumerate(KEYBOARD_ROWS):
        column = row.find(letter)
        if column >= 0:
            near = row[max(column - 1, 0) : column] + row[column + 1 : column + 2]
            for other in KEYBOARD_ROWS[max(row_index - 1, 0) : row_index + 2]:
                if other != row:
                    near += other[column : column + 1]
            return near or letter
    return letter


def _write(folder: Path, name: str, topics: list[Topic], names: dict[str, list[str]]) -> TopicSet:
    """Topics, qrels and section targets of one set, in the shared eval formats."""
    topic_lines, qrel_lines, section_lines = [], [], []
    for qid, query, pair in topics:
        topic_lines.append(f"{qid}\t{query}\n")
        qrel_lines.append(f"{qid} 0 {pair.doc_id} 2\n")
        qrel_lines += [f"{qid} 0 {other} 1\n" for other in names[name_of(pair.title)] if other != pair.doc_id]
        section_lines.append(f"{qid}\t{pair.doc_id}\t{pair.qtype}\n")
    (folder / f"{name}.topics.tsv").write_text("".join(topic_lines), encoding="utf-8")
    qrels = folder / f"{name}.qrels"
    qrels.write_text("".join(qrel_lines), encoding="utf-8")
    sections = folder / f"{name}.sections.tsv"
    sections.write_text("".join(section_lines), encoding="utf-8")
    return TopicSet(name, tuple((qid, query) for qid, query, _pair in topics), qrels, sections)

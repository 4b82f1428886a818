"""Parsed query -> ranked articles, each with its best sections.

Ranking: BM25F over separately weighted fields (condition name and aliases
most, then named entities, then the text); any word may match, and every
extra matching word adds its score, so all-words documents come first and a
missing word never empties the page.  (Lucene-style coordination on top was
measured and hurts questions, where many words are incidental.)  The topic
as a phrase in the title, the whole name typed, names inside a question and
lay/clinical synonyms add to the score; the section the query asks for scales
it.  Words the index has never seen are matched through spelling corrections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from engine.budget import Budget
from engine.executor import Scored, derived, evaluate
from engine.fusion import with_meaning
from engine.library import title_rank
from engine.names import names_in
from engine.query import ParsedQuery
from engine.semantic import Closeness
from engine.spelling import analysed_terms, corrected_words, corrections, known_word
from engine.understand import NAMING_WORDS, plain_keys, understood
from indexer.documents import TITLE_KEY_MARK
from indexer.schema import name_key

FIELD_BOOSTS: dict[str, float] = {
    "title": 5.0,
    "title_exact": 2.0,
    "aliases": 3.0,
    "types": 1.5,
    "treatments": 1.5,
    "specialists": 1.0,
    "content": 1.0,
}
TITLE_PHRASE_BOOST = 6.0
EXACT_TITLE_BOOST = 14.0  # the query's topic is the article's whole title
EXACT_ALIAS_BOOST = 9.0  # ... or one of its aliases
FRAGMENT_BOOST = 3.0  # per word of a name found inside a longer query
MAX_FRAGMENT_WORDS = 4
SYNONYM_BOOST = 2.0
SYNONYM_WEIGHT = 0.1  # another name of the visitor's term matches, weakly: the name boosts rank it
# An article with the section a keyword query asks for ("gout treatment") scores this much
# more, in proportion to how well it matches; in a long question the same words are often
# incidental ("can cervicitis cause infertility" is not asking for causes of cervicitis).
INTENT_FACTOR = 0.3
QUESTION_INTENT_FACTOR = 0.1
SHORT_QUERY_WORDS = 6
INTENT_WORD_WEIGHT = 0.3  # intent words still count, a little, as text
RICHNESS_WEIGHT = 0.15  # per log-unit of distinct section kinds an article has
MAX_QUERY_WORDS = 32
PLAIN_FIELDS = {"title": 1.0, "aliases": 1.0, "content": 1.0}
# A query of more than NAMING_WORDS topic words may describe a condition rather than name it: its
# words outside every name it holds weigh in titles hardly more than in text ("late", "legs").
DESCRIPTION_BOOSTS = {**FIELD_BOOSTS, "title": 1.5, "title_exact": 0.0, "aliases": 1.0}
SCORING = BM25F(B=0.75, K1=1.2, title_B=0.75, aliases_B=0.5)


@dataclass(frozen=True)
class SectionRef:
    kind: str
    heading: str
    anchor: str
    qtype: str = ""


@dataclass
class Hit:
    id: str
    title: str
    score: float
    url: str
    source: str
    sections: list[SectionRef] = field(default_factory=list)


def search(
    searcher: Searcher,
    parsed: ParsedQuery,
    limit: int = 10,
    with_sections: int | None = None,
    budget: Budget | None = None,
) -> list[Hit]:
    """The best `limit` articles for a parsed query; the first `with_sections` get their best sections."""
    parsed = understood(searcher, parsed)
    ranked = rank_articles(searcher, parsed, budget or Budget())
    if ranked is None:
        return []
    with_sections = limit if with_sections is None else with_sections
    hits = []
    for rank, docnum in enumerate(ranked.scored.top(limit)):
        stored = searcher.stored_fields(int(docnum))
        hit = Hit(stored["id"], stored["title"], ranked.score(docnum), "", stored["source"])
        if rank < with_sections:
            article = json.loads(stored["article"])
            hit.url = article.get("url", "")
            hit.sections = best_sections(article, parsed, ranked.section_closeness(int(docnum)))
        hits.append(hit)
    return hits


@dataclass(frozen=True)
class Ranked:
    """Every article's place for one query; a browse (filters alone) ranks by title and scores nothing."""

    scored: Scored
    browsing: bool
    closeness: Closeness | None = None  # how close in meaning the query is to each article and section

    def score(self, docnum: int) -> float:
        return 0.0 if self.browsing else float(self.scored.scores[docnum])

    def section_closeness(self, docnum: int) -> dict[str, float]:
        return self.closeness.section_scores(docnum) if self.closeness else {}


def rank_articles(searcher: Searcher, parsed: ParsedQuery, budget: Budget) -> Ranked | None:
    """The ranking for an understood query; None when nothing in it is searchable."""
    if parsed.is_empty:
        return Ranked(browse_articles(searcher, parsed, budget), browsing=True) if parsed.filters else None
    whoosh_query = build_query(searcher, parsed, budget)
    if whoosh_query is None:
        return None
    lexical = score_articles(searcher, whoosh_query, parsed, budget)
    scored, closeness = with_meaning(searcher, parsed, whoosh_query, lexical)
    return Ranked(scored, browsing=False, closeness=closeness)


def score_articles(
    searcher: Searcher, whoosh_query: wq.Query, parsed: ParsedQuery | None = None, budget: Budget | None = None
) -> Scored:
    """Every article's score; among articles with the asked-for name, fuller ones first.

    MedQuAD, like many sites, holds several articles of one name ("Shingles" as a
    one-paragraph summary and as a full article); the full one answers more.
    """
    scored = evaluate(searcher, whoosh_query, budget)
    named = [
        t
        for t in whoosh_query.leaves()
        if isinstance(t, wq.Term) and t.fieldname == "name_key" and t.text.startswith(TITLE_KEY_MARK)
    ]
    if named and RICHNESS_WEIGHT:
        exact = evaluate(searcher, wq.Or(named)).matched & scored.matched
        prior = derived(searcher, "richness", _richness)
        scored.scores = np.where(exact, scored.scores * (1 + RICHNESS_WEIGHT * prior), scored.scores)
    if parsed is not None:
        _favour_asked_sections(searcher, scored, parsed)
    return scored


def browse_articles(searcher: Searcher, parsed: ParsedQuery, budget: Budget | None = None) -> Scored:
    """The articles that pass a query's filters alone ("section:treatment"), in title order.

    No words means a browse, not a search: nothing to rank by but the name.
    """
    query: wq.Query = wq.And([_filter_term(searcher, name, value) for name, value in parsed.filters])
    excluded = [c for c in (_phrase_clause(searcher.schema, e, PLAIN_FIELDS) for e in parsed.excluded) if c]
    if excluded:
        query = wq.AndNot(query, wq.Or(excluded))
    return Scored(-title_rank(searcher), evaluate(searcher, query, budget).matched)


def _favour_asked_sections(searcher: Searcher, scored: Scored, parsed: ParsedQuery) -> None:
    """Scale up the articles that have the sections the query asks for, the first most.

    A factor, not an added constant: it reorders articles that match about equally
    well (three articles named "Canavan disease", one with an Inheritance section),
    never lifts a weak match over a strong one.
    """
    factor = INTENT_FACTOR if len(parsed.words) <= SHORT_QUERY_WORDS else QUESTION_INTENT_FACTOR
    for rank, kind in enumerate(parsed.intent.kinds):
        has_kind = evaluate(searcher, wq.Term("kinds", kind)).matched
        scored.scores = np.where(has_kind, scored.scores * (1 + factor / (rank + 1)), scored.scores)


def _richness(searcher: Searcher) -> np.ndarray:
    """log(distinct section kinds): a one-paragraph page answers fewer questions than a full article."""
    kinds = np.zeros(searcher.doc_count_all())
    reader = searcher.reader()
    for kind in reader.field_terms("kinds"):
        kinds[np.fromiter(reader.postings("kinds", kind).all_ids(), dtype=np.int64)] += 1
    return np.log(np.maximum(kinds, 1))


def build_query(searcher: Searcher, parsed: ParsedQuery, budget: Budget | None = None) -> wq.Query | None:
    """The Whoosh query for a parsed query; None when nothing in it is searchable."""
    budget = budget or Budget()
    schema = searcher.schema
    intent_words = {w for phrase in parsed.intent.words for w in phrase.split()}
    describing = len(parsed.topic) > NAMING_WORDS
    clauses: list[wq.Query] = []
    for word in list(dict.fromkeys(parsed.words))[:MAX_QUERY_WORDS]:
        outside_names = describing and not set(name_key(word).split()) <= parsed.name_words
        if outside_names and len(word) == 1:
            continue  # a pronoun or a stray letter, not the "I" of "type I"
        if word in parsed.plain_words:
            clause = _phrase_clause(schema, word, {"content": 1.0})  # text, not a title: "his", "all", "down"
            if clause is not None:
                clauses.append(clause)
            continue
        if word in intent_words and len(parsed.words) > len(intent_words):
            # "symptoms" in "west syndrome symptoms" chooses a section; matched in every
            # article's text it would only make thousands of weak candidates.
            clause = _intent_word_clause(schema, word)
        else:
            context = tuple(w for w in parsed.words if w != word)
            boosts = DESCRIPTION_BOOSTS if outside_names else FIELD_BOOSTS
            clause = _word_clause(searcher, word, 1.0, budget if parsed.correct else None, context, boosts)
        if clause is not None:
            clauses.append(clause)
    phrase_fields = {name: boost for name, boost in FIELD_BOOSTS.items() if name != "title_exact"}
    clauses += [c for c in (_phrase_clause(schema, p, phrase_fields) for p in parsed.phrases) if c]
    clauses += [c for c in (_phrase_clause(schema, p, phrase_fields) for p in parsed.split_forms) if c]
    clauses += _synonym_clauses(schema, parsed)
    if not clauses:
        return None
    main: wq.Query = wq.Or(clauses)
    boosts = _boosts(searcher, parsed, budget)
    if parsed.phrases:
        required = [_phrase_clause(schema, p, PLAIN_FIELDS) for p in parsed.phrases]
        main = wq.And([main, *[c for c in required if c is not None]])
    if boosts:
        main = wq.AndMaybe(main, wq.Or(boosts))
    if parsed.excluded:
        excluded = [c for c in (_phrase_clause(schema, e, PLAIN_FIELDS) for e in parsed.excluded) if c]
        main = wq.AndNot(main, wq.Or(excluded)) if excluded else main
    if parsed.filters:
        main = wq.And([main, *[_filter_term(searcher, name, value) for name, value in parsed.filters]])
    return main


def _synonym_clauses(schema: Schema, parsed: ParsedQuery) -> list[wq.Query]:
    """The other names of each synonym group the query names, as phrases: "lockjaw" finds Tetanus.

    They weigh less than the visitor's own words, so an article that uses those words
    still ranks by them.
    """
    said = f" {name_key(' '.join(parsed.words))} "
    fields = {name: SYNONYM_WEIGHT * FIELD_BOOSTS[name] for name in ("title", "aliases", "content")}
    clauses = []
    for group in parsed.synonyms:
        for term in group:
            if f" {name_key(term)} " not in said and (clause := _phrase_clause(schema, term, fields)):
                clauses.append(clause)
    return clauses


def _filter_term(searcher: Searcher, name: str, value: str) -> wq.Query:
    if name == "source":  # kept as the source writes it ("GARD"); visitors type any case
        value = derived(searcher, "sources", _sources_by_lower_case).get(value.lower(), value)
    return wq.Term(name, value)


def _sources_by_lower_case(searcher: Searcher) -> dict[str, str]:
    return {term.lower(): term for term in searcher.reader().field_terms("source")}


def _word_clause(
    searcher: Searcher,
    word: str,
    weight: float,
    spelling: Budget | None,
    context: tuple[str, ...] = (),
    field_boosts: dict[str, float] = FIELD_BOOSTS,
) -> wq.Query | None:
    """The word in every weighted field; an unknown word also as its corrections, while `spelling` allows."""
    parts = [part for part in word.split("-") if part]
    if len(parts) > 1:  # each part of "klippel-trenaunay" or "long-chaon" counts, and is spelled, alone
        clauses = [
            c
            for c in (_word_clause(searcher, part, weight, spelling, context, field_boosts) for part in parts)
            if c is not None
        ]
        return wq.Or(clauses) if clauses else None
    schema = searcher.schema
    stems = analysed_terms(schema, "content", word)
    if not stems:
        return None  # a stop word
    stem = stems[0]
    exact = analysed_terms(schema, "title_exact", word)
    fields = []
    for name, boost in field_boosts.items():
        term = exact[0] if name == "title_exact" and exact else stem
        if boost:
            fields.append(wq.Term(name, term, boost=boost * weight))
    if spelling is not None and not known_word(searcher, stem):
        for suggestion in corrections(searcher, word, context=context, budget=spelling):
            fields += [
                wq.Term(name, term, boost=0.9 * boost * weight)
                for name, boost in field_boosts.items()
                if name != "title_exact" and boost
                for term in analysed_terms(schema, name, suggestion)[:1]
            ]
    return wq.Or(fields)


def _intent_word_clause(schema: Schema, word: str) -> wq.Query | None:
    stems = analysed_terms(schema, "title", word)
    return wq.Term("title", stems[0], boost=FIELD_BOOSTS["title"] * INTENT_WORD_WEIGHT) if stems else None


def _phrase_clause(schema: Schema, text: str, fields: dict[str, float]) -> wq.Query | None:
    stems = analysed_terms(schema, "content", text)
    if not stems:
        return None
    if len(stems) == 1:
        return wq.Or([wq.Term(name, stems[0], boost=boost) for name, boost in fields.items()])
    return wq.Or([wq.Phrase(name, stems, boost=boost) for name, boost in fields.items()])


def _boosts(searcher: Searcher, parsed: ParsedQuery, budget: Budget) -> list[wq.Query]:
    schema = searcher.schema
    boosts: list[wq.Query] = []
    words = list(parsed.words)
    spelled_words = corrected_words(searcher, words, budget) if parsed.correct else words
    fixed = dict(zip(words, spelled_words, strict=True))
    topic_text = " ".join(fixed.get(word, word) for word in parsed.topic)
    topic_key = " ".join(dict.fromkeys(name_key(topic_text).split()))  # "diabetes whats diabetes"
    # Titles can hold question or intent words themselves ("What I need to know about
    # Cirrhosis", "Kidney Failure: Choosing a Treatment"), so the fuller forms count too.
    spelled = " ".join(spelled_words)
    keys = {topic_key, name_key(parsed.intent.topic), name_key(spelled)}
    for group in parsed.synonyms:  # "pink eye" is the whole name "conjunctivitis", "fever" in a question is not
        group_keys = {name_key(term) for term in group}
        if topic_key in group_keys:
            keys |= group_keys
    names: list[wq.Query] = []
    for key in filter(None, keys):
        names += [
            wq.Term("name_key", TITLE_KEY_MARK + key, boost=EXACT_TITLE_BOOST),
            wq.Term("name_key", key, boost=EXACT_ALIAS_BOOST),
        ]
    names += _name_fragments(searcher, topic_text, plain_keys(parsed))
    if names:
        # An article's best name counts, once: its exact title does not also earn its sub-names.
        boosts.append(wq.DisjunctionMax(names))
    topic = analysed_terms(schema, "title", topic_text)
    if len(topic) > 1:
        boosts.append(wq.Phrase("title", topic, boost=TITLE_PHRASE_BOOST))
    for group in parsed.synonyms:
        for term in group:
            clause = _phrase_clause(schema, term, {"title": SYNONYM_BOOST, "aliases": SYNONYM_BOOST})
            if clause is not None:
                boosts.append(clause)
    return boosts


def _name_fragments(searcher: Searcher, topic_text: str, plain: set[str]) -> list[wq.Query]:
    """Boosts for names inside a longer question: "does appendicitis always cause fever".

    A name's words may come in another order or with words between them: "ischemic
    syncope stroke" holds "ischemic stroke", "pain in my lower back" holds "back pain".
    """
    present = set(name_key(topic_text).split())
    # Not the name itself, reordered: that is the exact-name boost's work.
    keys = sorted(
        key for key in names_in(searcher, present) if set(key.split()) != present and not set(key.split()) <= plain
    )
    boosts: list[wq.Query] = []
    for key in keys:
        boost = FRAGMENT_BOOST * min(len(key.split()), MAX_FRAGMENT_WORDS)
        boosts += [
            wq.Term("name_key", TITLE_KEY_MARK + key, boost=boost),
            wq.Term("name_key", key, boost=boost),
        ]
    return boosts


def best_sections(
    article: dict, parsed: ParsedQuery, closeness: dict[str, float] | None = None, limit: int = 2
) -> list[SectionRef]:
    """The sections a visitor wants first: the asked-for kind, else the overview, else the one the words hit most.

    With no intent, a section far closer in meaning than the overview leads instead
    (`closeness`: anchor -> cosine; as a mere tie-break it was measured and changed
    nothing but one held-out typo topic, for the worse); two sections of one heading
    are one answer, shown once.
    """
    closeness = closeness or {}
    sections = article["sections"]
    if not sections:
        return []
    order = {kind: rank for rank, kind in enumerate(parsed.intent.kinds)}
    words = set(parsed.intent.topic.split()) | {w for p in parsed.phrases for w in p.split()}
    lead = _leading_anchor(sections, closeness)

    def rank(index_section: tuple[int, dict]) -> tuple:
        index, section = index_section
        text = section["text"].lower()
        overlap = sum(1 for w in words if w in text)
        return (
            order.get(section["kind"], len(order) + 1),
            -(section["anchor"] == lead and not order),
            -overlap,
            index,
        )

    chosen: list[SectionRef] = []
    for _, section in sorted(enumerate(sections), key=rank):
        if all(section["heading"] != ref.heading for ref in chosen):  # MedQuAD repeats "What is (are) X?"
            chosen.append(SectionRef(section["kind"], section["heading"], section["anchor"], section.get("qtype", "")))
        if len(chosen) == limit:
            break
    return chosen


SECTION_MARGIN = 0.1  # a section this much closer in meaning than the overview leads instead of it


def _leading_anchor(sections: list[dict], closeness: dict[str, float]) -> str:
    """The section to offer first when the query asks for no kind: the overview, unless another says it far better.

    "my toddler has a barking cough" is closer to Croup's symptoms than to what Croup is.
    """
    overview = next((s["anchor"] for s in sections if s["kind"] == "overview"), "")
    if not closeness:
        return overview
    best = max(sections, key=lambda s: closeness.get(s["anchor"], 0.0))["anchor"]
    return best if closeness.get(best, 0.0) - closeness.get(overview, 0.0) >= SECTION_MARGIN else overview

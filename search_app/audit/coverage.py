"""Article summaries -> coverage: which required sections each article has, thin or missing.

Stages: read the per-article summaries the indexer wrote into the live
generation (no article text is read here, so 5,000 articles take
milliseconds); grade every article x section kind as present, thin or
missing; count each required section's share; list the articles that break
the policy, the stale ones, and titles or aliases that collide.  Each of these
is computed once per generation, policy and day, and kept (`report`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from indexer.article import SECTION_KINDS, SECTION_LABELS
from indexer.store import IndexMissing, IndexStore
from indexer.summary import SUMMARIES, read_summaries
from search_app.audit.catalog import loose_key
from search_app.audit.tables import Table

PRESENT, THIN, MISSING = "present", "thin", "missing"


@dataclass(frozen=True)
class Policy:
    """What every article should have: the required section kinds, and when a section or review is too old or small.

    A source may require other kinds (`by_source`): MedQuAD's sites never write a
    "When to see a doctor" section, and a policy none of their articles can meet
    only hides the gaps that matter.
    """

    required: tuple[str, ...]
    thin_words: int = 40
    stale_days: int = 730
    by_source: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        required = _kinds(str(config["REQUIRED_SECTIONS"]), "REQUIRED_SECTIONS")
        by_source = parse_by_source(str(config.get("REQUIRED_SECTIONS_BY_SOURCE", "") or ""))
        return cls(required, int(config["THIN_SECTION_WORDS"]), int(config["STALE_AFTER_DAYS"]), by_source)

    def required_for(self, source: str) -> tuple[str, ...]:
        """The kinds an article from `source` should have."""
        return dict(self.by_source).get(source, self.required)

    @property
    def every_required(self) -> tuple[str, ...]:
        """Every kind some source requires, the default's first."""
        return tuple(dict.fromkeys([*self.required, *(k for _s, kinds in self.by_source for k in kinds)]))

    def grade(self, words: int | None) -> str:
        if not words:
            return MISSING
        return THIN if words < self.thin_words else PRESENT


@dataclass
class Coverage:
    policy: Policy
    articles: list[dict]
    today: date
    kinds: list[str] = field(default_factory=list)  # required first, then every other kind the corpus has

    def grades(self, article: dict) -> dict[str, str]:
        return {kind: self.policy.grade(article["words"].get(kind)) for kind in self.kinds}

    def problems(self, article: dict) -> tuple[list[str], list[str]]:
        """The required kinds an article lacks, and those it has but thin."""
        grades = [(kind, self.policy.grade(article["words"].get(kind))) for kind in self._required(article)]
        return [k for k, g in grades if g == MISSING], [k for k, g in grades if g == THIN]

    def section_counts(self) -> list[tuple[str, int, int, int]]:
        """(kind, present, thin, missing) for every kind shown, required first."""
        return self._section_counts

    def required_counts(self) -> list[tuple[str, int, int, int]]:
        """(kind, present, thin, missing) among the articles whose policy requires each kind."""
        return self._required_counts

    def breaking(self) -> list[tuple[dict, list[str], list[str]]]:
        return self._breaking

    def stale(self) -> tuple[list[tuple[dict, int]], int]:
        """Articles reviewed more than stale_days ago (oldest first), and how many have no review date."""
        return self._stale

    def duplicates(self) -> list[tuple[str, str, list[dict]]]:
        """(how, name, articles): same title or alias on several articles, or near-identical titles.

        The name is as an article writes it ("Type 1 Diabetes"), never the stemmed key ("1 diabet type").
        """
        return self._duplicates

    def _required(self, article: dict) -> tuple[str, ...]:
        return self._by_source.get(article.get("source", ""), self.policy.required)

    def _counts(self, articles: list[dict], kind: str) -> tuple[str, int, int, int]:
        """(kind, present, thin, missing) over some articles."""
        grades = Counter(self.policy.grade(article["words"].get(kind)) for article in articles)
        return kind, grades[PRESENT], grades[THIN], grades[MISSING]

    @cached_property
    def _section_counts(self) -> list[tuple[str, int, int, int]]:
        """One pass over the sections the articles have (most kinds are missing from most articles)."""
        graded: Counter[tuple[str, str]] = Counter()
        for article in self.articles:
            for kind, words in article["words"].items():
                graded[kind, self.policy.grade(words)] += 1
        n = len(self.articles)
        return [(k, graded[k, PRESENT], graded[k, THIN], n - graded[k, PRESENT] - graded[k, THIN]) for k in self.kinds]

    @cached_property
    def _required_counts(self) -> list[tuple[str, int, int, int]]:
        return [self._counts(self._requiring[kind], kind) for kind in self.policy.every_required]

    @cached_property
    def _by_source(self) -> dict[str, tuple[str, ...]]:
        return dict(self.policy.by_source)

    @cached_property
    def _requiring(self) -> dict[str, list[dict]]:
        """Each required kind -> the articles whose policy requires it."""
        requiring: dict[str, list[dict]] = {kind: [] for kind in self.policy.every_required}
        for article in self.articles:
            for kind in self._required(article):
                requiring[kind].append(article)
        return requiring

    @cached_property
    def _breaking(self) -> list[tuple[dict, list[str], list[str]]]:
        found = ((a, *self.problems(a)) for a in self.articles)
        return [(a, missing, thin) for a, missing, thin in found if missing or thin]

    @cached_property
    def _stale(self) -> tuple[list[tuple[dict, int]], int]:
        aged, undated = [], 0
        for article in self.articles:
            reviewed = _date(article.get("reviewed", ""))
            if reviewed is None:
                undated += 1
            elif (age := (self.today - reviewed).days) > self.policy.stale_days:
                aged.append((article, age))
        return sorted(aged, key=lambda pair: -pair[1]), undated

    @cached_property
    def _duplicates(self) -> list[tuple[str, str, list[dict]]]:
        exact: dict[str, list[tuple[dict, str]]] = defaultdict(list)
        loose: dict[str, list[dict]] = defaultdict(list)
        for article in self.articles:
            names = {article["title_key"]: "title"}
            for key in article["alias_keys"]:
                names.setdefault(key, "alias")
            for key, how in names.items():
                if key:
                    exact[key].append((article, how))
            loose[loose_key(article["title_key"])].append(article)
        found = []
        for key, owners in exact.items():
            if len(owners) > 1:  # an article holds each key once
                how = "same title" if all(h == "title" for _, h in owners) else "title or alias shared"
                found.append((how, _spelled(key, [a for a, _ in owners]), [a for a, _ in owners]))
        for key, owners in loose.items():
            # One title key among them: already listed as a "same title".
            if key and len(owners) > 1 and len({a["title_key"] for a in owners}) > 1:
                found.append(("near-identical titles", " / ".join(sorted({a["title"] for a in owners})), owners))
        return sorted(found, key=lambda item: (item[0], item[1].casefold()))

    def tables(self) -> dict[str, Table]:
        """Every coverage table, in full, for CSV and JSON."""
        return self._tables

    @cached_property
    def _tables(self) -> dict[str, Table]:
        sections = Table(
            "sections", "Coverage by section", ["section", "required", "present", "thin", "missing", "share"]
        )
        n = max(1, len(self.articles))
        for kind, present, thin, missing in self.section_counts():
            share = round((present + thin) / n, 4)
            sections.rows.append([label(kind), kind in self.policy.every_required, present, thin, missing, share])
        matrix = Table("matrix", "Words per section (0: missing)", ["id", "title", "source", *map(label, self.kinds)])
        matrix.rows = [
            [a["id"], a["title"], a["source"], *(a["words"].get(k, 0) for k in self.kinds)] for a in self.articles
        ]
        breaking = Table("breaking", "Articles breaking the policy", ["id", "title", "missing", "thin"])
        breaking.rows = [
            [a["id"], a["title"], [*map(label, missing)], [*map(label, thin)]] for a, missing, thin in self.breaking()
        ]
        stale = Table("stale", "Stale articles", ["id", "title", "reviewed", "age_days"])
        stale.rows = [[a["id"], a["title"], a["reviewed"], age] for a, age in self.stale()[0]]
        duplicates = Table("duplicates", "Duplicate and near-duplicate names", ["kind", "name", "ids", "titles"])
        duplicates.rows = [
            [how, key, [a["id"] for a in owners], [a["title"] for a in owners]]
            for how, key, owners in self.duplicates()
        ]
        return {t.name: t for t in (sections, breaking, stale, duplicates, matrix)}

    def headline(self) -> dict[str, Any]:
        """Numbers for the top of the page: articles, and the share with each required section."""
        shares = {kind: round((p + t) / max(1, p + t + m), 4) for kind, p, t, m in self.required_counts()}
        return {
            "articles": len(self.articles),
            "compliant": len(self.articles) - len(self.breaking()),
            "required": shares,
        }


def parse_by_source(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """'GARD=overview,symptoms;GHR=overview' -> ((source, kinds), ...).

    >>> parse_by_source("GARD = overview, symptoms; GHR=overview")
    (('GARD', ('overview', 'symptoms')), ('GHR', ('overview',)))
    """
    found = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        source, equals, kinds = part.partition("=")
        if not equals or not source.strip():
            raise ValueError(f"REQUIRED_SECTIONS_BY_SOURCE: {part!r} is not SOURCE=kind,kind")
        found.append((source.strip(), _kinds(kinds, f"REQUIRED_SECTIONS_BY_SOURCE for {source.strip()}")))
    return tuple(found)


def _kinds(text: str, setting: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in SECTION_KINDS]
    if unknown:
        raise ValueError(f"{setting} names unknown section kinds: {', '.join(unknown)}")
    return kinds


def compute(articles: list[dict], policy: Policy, today: date) -> Coverage:
    seen = {kind for article in articles for kind in article["words"]}
    others = [k for k in SECTION_KINDS if k in seen and k not in policy.every_required]
    return Coverage(policy, articles, today, [*policy.every_required, *others])


_CACHE: dict[tuple, list[dict]] = {}


def load_articles(store: IndexStore) -> list[dict]:
    """The live generation's summaries, read once per generation."""
    current = store.current_dir()
    if current is None:
        raise IndexMissing(f"no index at {store.root}")
    summaries = current / SUMMARIES
    key = (str(current), summaries.stat().st_mtime_ns if summaries.exists() else 0)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = read_summaries(Path(current))
    return _CACHE[key]


_REPORTS: dict[tuple[Policy, date], Coverage] = {}


def report(store: IndexStore, policy: Policy, today: date) -> Coverage:
    """The live generation's coverage, computed once per generation, policy and day in each process.

    A generation never changes once published, so neither does its coverage; each
    table is worked out when first asked for and kept with the report.
    """
    articles = load_articles(store)
    found = _REPORTS.get((policy, today))
    if found is None or found.articles is not articles:
        found = compute(articles, policy, today)
        for key in [key for key, kept in _REPORTS.items() if kept.articles is not articles or key[1] != today]:
            del _REPORTS[key]  # another generation's, or another day's
        _REPORTS[policy, today] = found
    return found


def label(kind: str) -> str:
    return SECTION_LABELS.get(kind, kind)


def _spelled(key: str, owners: list[dict]) -> str:
    """A name key as the articles spell it: the title or alias that has that key, capitalised ones first."""
    for article in sorted(owners, key=lambda a: not a["title"][:1].isupper()):
        if article["title_key"] == key:
            return article["title"]
        for alias, alias_key in zip(article.get("aliases", []), article["alias_keys"], strict=False):
            if alias_key == key:
                return alias
    return key


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None

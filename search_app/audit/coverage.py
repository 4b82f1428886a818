"""Article summaries -> coverage: which required sections each article has, thin or missing.

Stages: read the per-article summaries the indexer wrote into the live
generation (no article text is read here, so 5,000 articles take
milliseconds); grade every article x section kind as present, thin or
missing; count each required section's share; list the articles that break
the policy, the stale ones, and titles or aliases that collide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
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
    """What every article should have: the required section kinds, and when a section or review is too old or small."""

    required: tuple[str, ...]
    thin_words: int = 40
    stale_days: int = 730

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        required = tuple(k.strip() for k in str(config["REQUIRED_SECTIONS"]).split(",") if k.strip())
        unknown = [k for k in required if k not in SECTION_KINDS]
        if unknown:
            raise ValueError(f"REQUIRED_SECTIONS names unknown section kinds: {', '.join(unknown)}")
        return cls(required, int(config["THIN_SECTION_WORDS"]), int(config["STALE_AFTER_DAYS"]))

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
        grades = {kind: self.policy.grade(article["words"].get(kind)) for kind in self.policy.required}
        return [k for k, g in grades.items() if g == MISSING], [k for k, g in grades.items() if g == THIN]

    def section_counts(self) -> list[tuple[str, int, int, int]]:
        """(kind, present, thin, missing) for every kind shown, required first."""
        counts = []
        for kind in self.kinds:
            grades = [self.policy.grade(a["words"].get(kind)) for a in self.articles]
            counts.append((kind, grades.count(PRESENT), grades.count(THIN), grades.count(MISSING)))
        return counts

    def breaking(self) -> list[tuple[dict, list[str], list[str]]]:
        found = ((a, *self.problems(a)) for a in self.articles)
        return [(a, missing, thin) for a, missing, thin in found if missing or thin]

    def stale(self) -> tuple[list[tuple[dict, int]], int]:
        """Articles reviewed more than stale_days ago (oldest first), and how many have no review date."""
        aged, undated = [], 0
        for article in self.articles:
            reviewed = _date(article.get("reviewed", ""))
            if reviewed is None:
                undated += 1
            elif (age := (self.today - reviewed).days) > self.policy.stale_days:
                aged.append((article, age))
        return sorted(aged, key=lambda pair: -pair[1]), undated

    def duplicates(self) -> list[tuple[str, str, list[dict]]]:
        """(how, name, articles): same title or alias on several articles, or near-identical titles."""
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
            if len({a["id"] for a, _ in owners}) > 1:
                how = "same title" if all(h == "title" for _, h in owners) else "title or alias shared"
                found.append((how, key, [a for a, _ in owners]))
        for key, owners in loose.items():
            if key and len({a["title_key"] for a in owners}) > 1:  # one title key: already a "same title"
                found.append(("near-identical titles", key, owners))
        return sorted(found, key=lambda item: (item[0], item[1]))

    def tables(self) -> dict[str, Table]:
        """Every coverage table, in full, for CSV and JSON."""
        sections = Table(
            "sections", "Coverage by section", ["section", "required", "present", "thin", "missing", "share"]
        )
        n = max(1, len(self.articles))
        for kind, present, thin, missing in self.section_counts():
            share = round((present + thin) / n, 4)
            sections.rows.append([kind, kind in self.policy.required, present, thin, missing, share])
        matrix = Table("matrix", "Words per section (0: missing)", ["id", "title", "source", *self.kinds])
        matrix.rows = [
            [a["id"], a["title"], a["source"], *(a["words"].get(k, 0) for k in self.kinds)] for a in self.articles
        ]
        breaking = Table("breaking", "Articles breaking the policy", ["id", "title", "missing", "thin"])
        breaking.rows = [[a["id"], a["title"], missing, thin] for a, missing, thin in self.breaking()]
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
        n = max(1, len(self.articles))
        counts = {kind: (present, thin) for kind, present, thin, _ in self.section_counts()}
        return {
            "articles": len(self.articles),
            "compliant": len(self.articles) - len(self.breaking()),
            "required": {k: round((counts[k][0] + counts[k][1]) / n, 4) for k in self.policy.required},
        }


def compute(articles: list[dict], policy: Policy, today: date) -> Coverage:
    seen = {kind for article in articles for kind in article["words"]}
    others = [k for k in SECTION_KINDS if k in seen and k not in policy.required]
    return Coverage(policy, articles, today, [*policy.required, *others])


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


def label(kind: str) -> str:
    return SECTION_LABELS.get(kind, kind)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None

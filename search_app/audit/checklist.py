"""Expected topics -> covered, partly covered or missing.

Each topic (one per line) is matched against article titles, aliases and the
synonym table (catalog.py).  A topic is covered when the library covers it: each
required section present in at least one of the articles of that name (a
one-paragraph "Heart attack" summary does not make the topic partly covered when
two full Heart Attack articles have every section); otherwise it is partly
covered, and the fullest of those articles is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.article import SECTION_LABELS
from search_app.audit.catalog import Catalog
from search_app.audit.coverage import Policy
from search_app.audit.tables import Table

MAX_TOPICS = 5000
MAX_TOPIC_CHARS = 200
COVERED, PARTLY, MISSING = "covered", "partly covered", "missing"


class ChecklistError(ValueError):
    """A topic list that cannot be checked; the message is safe to show."""


@dataclass(frozen=True)
class TopicResult:
    topic: str
    status: str
    article_id: str = ""
    title: str = ""
    via: str = ""
    missing: tuple[str, ...] = ()
    thin: tuple[str, ...] = ()
    articles: int = 0  # articles of that name that together cover the topic


def parse_topics(text: str) -> list[str]:
    """One topic per line; blank lines, '#' comments and repeats dropped.

    >>> parse_topics("Gout\\n\\n# eyes\\npink eye\\ngout\\n")
    ['Gout', 'pink eye']
    """
    topics: dict[str, str] = {}
    for line in text.splitlines():
        topic = " ".join(line.split())
        if topic and not topic.startswith("#"):
            if len(topic) > MAX_TOPIC_CHARS:
                raise ChecklistError(f"a topic is over {MAX_TOPIC_CHARS} characters: {topic[:40]}…")
            topics.setdefault(topic.lower(), topic)
    if len(topics) > MAX_TOPICS:
        raise ChecklistError(f"{len(topics)} topics: at most {MAX_TOPICS:,} at a time, please")
    return list(topics.values())


def check(topics: list[str], catalog: Catalog, policy: Policy) -> list[TopicResult]:
    return [_check_one(topic, catalog, policy) for topic in topics]


def _check_one(topic: str, catalog: Catalog, policy: Policy) -> TopicResult:
    match = catalog.find(topic)
    if match is None:
        return TopicResult(topic, MISSING)
    articles = catalog.namesakes(match.article)
    required = policy.required_for(match.article.get("source", ""))
    best = {kind: min(_RANK[policy.grade(a["words"].get(kind))] for a in articles) for kind in required}
    missing = tuple(k for k in required if best[k] == _RANK["missing"])
    thin = tuple(k for k in required if best[k] == _RANK["thin"])
    status = PARTLY if missing or thin else COVERED
    fullest = max(articles, key=lambda a: sum(policy.grade(a["words"].get(k)) == "present" for k in required))
    return TopicResult(topic, status, fullest["id"], fullest["title"], match.via, missing, thin, len(articles))


_RANK = {"present": 0, "thin": 1, "missing": 2}


def table(results: list[TopicResult]) -> Table:
    """The results with section labels ("When to see a doctor"), as staff read them, not kind ids."""
    columns = ["topic", "status", "article_id", "title", "articles", "via", "missing", "thin"]
    rows = [
        [r.topic, r.status, r.article_id, r.title, r.articles, r.via, _labels(r.missing), _labels(r.thin)]
        for r in results
    ]
    return Table("checklist", "Topic checklist", columns, rows)


def _labels(kinds: tuple[str, ...]) -> list[str]:
    return [SECTION_LABELS.get(kind, kind) for kind in kinds]


def summary(results: list[TopicResult]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in (COVERED, PARTLY, MISSING)}

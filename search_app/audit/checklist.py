"""Expected topics -> covered, partly covered or missing.

Each topic (one per line) is matched against article titles, aliases and the
synonym table (catalog.py); a matched article that lacks or has thin required
sections is only partly covered.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    words = match.article["words"]
    missing = tuple(k for k in policy.required if policy.grade(words.get(k)) == "missing")
    thin = tuple(k for k in policy.required if policy.grade(words.get(k)) == "thin")
    status = PARTLY if missing or thin else COVERED
    return TopicResult(topic, status, match.article["id"], match.article["title"], match.via, missing, thin)


def table(results: list[TopicResult]) -> Table:
    columns = ["topic", "status", "article_id", "title", "via", "missing", "thin"]
    rows = [[r.topic, r.status, r.article_id, r.title, r.via, list(r.missing), list(r.thin)] for r in results]
    return Table("checklist", "Topic checklist", columns, rows)


def summary(results: list[TopicResult]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in (COVERED, PARTLY, MISSING)}

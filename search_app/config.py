"""Each setting once: its default and one line of help.

Every setting can also come from the environment as ``HEALTHSEARCH_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX_DIR", None, "Where the index lives; default: the app's instance folder + /index."),
    Setting("CORPUS_DIR", "corpus", "Articles `healthsearch serve` indexes when no index exists yet."),
    Setting("RESULTS_PER_PAGE", 10, "Hits on one results page."),
    Setting("WORKERS", 4, "Worker processes of `healthsearch serve --production`."),
    Setting("API_RATE_LIMIT", "120 per minute", "Requests one client may make to /api/* (per worker process)."),
    Setting("SUGGEST_RATE_LIMIT", "600 per minute", "Requests one client may make to /api/suggest instead."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Where rate-limit counters live (flask-limiter storage URI)."),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, "Largest request body accepted, in bytes; more is a 413."),
    Setting("STATIC_MAX_AGE", 31_536_000, "Cache lifetime of versioned static files, in seconds."),
    Setting("PAGE_MAX_AGE", 60, "Cache lifetime of result pages, articles and API answers, in seconds."),
    Setting("TRUSTED_PROXIES", 0, "Reverse proxies in front whose X-Forwarded-For is believed, for client addresses."),
    Setting("REQUEST_LOG", "-", "Where JSON request logs go: '-' for stderr, a file path, or '' for none."),
)


def load_settings(instance_path: str) -> dict[str, Any]:
    """Defaults, overridden by HEALTHSEARCH_* environment variables."""
    values = {s.name: os.environ.get(f"HEALTHSEARCH_{s.name}", s.default) for s in SETTINGS}
    for setting in SETTINGS:  # numbers from the environment arrive as text
        if isinstance(setting.default, int):
            values[setting.name] = int(values[setting.name])
    if not values["INDEX_DIR"]:
        values["INDEX_DIR"] = os.path.join(instance_path, "index")
    return values

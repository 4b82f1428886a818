"""Each setting once: its default and one line of help.

Every setting can also come from the environment as ``HEALTHSEARCH_<NAME>``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.budget import DEFAULT_DEADLINE_MS
from search_app.database import is_url


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_DIR", None, "Folder of the default index, query log, staff files; default: instance/."),
    Setting("INDEX_DIR", None, "Where the index lives; default: the app's instance folder + /index."),
    Setting("CORPUS_DIR", "corpus", "Articles `healthsearch serve` indexes when no index exists yet."),
    Setting("RESULTS_PER_PAGE", 10, "Hits on one results page."),
    Setting(
        "DATABASE_URL",
        "",
        "postgresql://... : the query log and staff accounts live there, shared by every replica (else SQLite files).",
    ),
    Setting("QUERY_LOG", None, "SQLite query log; default: the instance folder + /querylog.sqlite3; empty: no log."),
    Setting("QUERY_LOG_RETENTION_DAYS", 90, "Days a logged search or click is kept."),
    Setting("STAFF_DB", None, "SQLite staff accounts; default: the instance folder + /staff.sqlite3."),
    Setting("SECRET_KEY", None, "Signs staff sessions; default: generated once into the instance folder."),
    Setting(
        "REQUIRED_SECTIONS",
        "overview,symptoms,causes,treatment,when_to_see_doctor",
        "Section kinds every article should have (comma separated), for the coverage audit.",
    ),
    Setting(
        "REQUIRED_SECTIONS_BY_SOURCE",
        "",
        "Per source, the section kinds its articles should have instead: 'GARD=overview,symptoms;GHR=overview'.",
    ),
    Setting("THIN_SECTION_WORDS", 40, "A section with fewer words counts as thin in the coverage audit."),
    Setting("STALE_AFTER_DAYS", 730, "An article reviewed longer ago counts as stale in the coverage audit."),
    Setting("CORS_ORIGINS", "", "Comma-separated origins whose pages may call /api/suggest and /api/search."),
    Setting("WORKERS", 4, "Worker processes of `healthsearch serve --production`."),
    Setting("API_RATE_LIMIT", "120 per minute", "Requests one client may make to /api/* (per worker process)."),
    Setting("SUGGEST_RATE_LIMIT", "600 per minute", "Requests one client may make to /api/suggest instead."),
    Setting("PAGE_RATE_LIMIT", "60 per minute", "Requests one client may make to /search and /articles/<id>."),
    Setting(
        "SEARCH_DEADLINE_MS",
        DEFAULT_DEADLINE_MS,
        "Wall-clock time after which a search skips optional work (spelling, phrase positions, snippets); 0: none.",
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        "5 per minute;20 per hour",
        "Failed staff sign-ins per client address, and per account name.",
    ),
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
    if values["DATABASE_URL"]:
        values["STAFF_DB"] = values["DATABASE_URL"]
        if values["QUERY_LOG"] != "":  # "" still turns the log off
            values["QUERY_LOG"] = values["DATABASE_URL"]
    if values["QUERY_LOG"] is None:  # "" stays: it turns the log off
        values["QUERY_LOG"] = os.path.join(instance_path, "querylog.sqlite3")
    if not values["STAFF_DB"]:
        values["STAFF_DB"] = os.path.join(instance_path, "staff.sqlite3")
    return values


SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def private_paths(config: Mapping[str, Any], instance_path: str) -> tuple[Path, ...]:
    """What a build must never read, whatever folder it is given: the instance folder (secret key,
    accounts, query log), and the index, query log and staff accounts wherever the settings put them."""
    files = [name for name in (config.get("QUERY_LOG") or "", config.get("STAFF_DB") or "") if not is_url(name)]
    paths = [Path(instance_path), Path(config["INDEX_DIR"])]
    paths += [Path(name + companion) for name in files if name for companion in SQLITE_COMPANIONS]
    return tuple(paths)

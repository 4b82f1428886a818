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
    Setting("CORS_ORIGINS", "", "Comma-separated origins whose pages may call /api/suggest and /api/search."),
)


def load_settings(instance_path: str) -> dict[str, Any]:
    """Defaults, overridden by HEALTHSEARCH_* environment variables."""
    values = {s.name: os.environ.get(f"HEALTHSEARCH_{s.name}", s.default) for s in SETTINGS}
    values["RESULTS_PER_PAGE"] = int(values["RESULTS_PER_PAGE"])
    if not values["INDEX_DIR"]:
        values["INDEX_DIR"] = os.path.join(instance_path, "index")
    return values

"""What the last crawl of a folder saw, kept beside its pages (a hidden file the indexer ignores)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE = ".crawl-state.json"


@dataclass
class CrawlState:
    """Per URL: the file it was saved as and the validators for a conditional GET."""

    folder: Path
    pages: dict[str, dict[str, str]] = field(default_factory=dict)
    extras: dict[str, dict[str, str]] = field(default_factory=dict)  # robots.txt and sitemaps, with their text
    refused: dict[str, str] = field(default_factory=dict)  # URLs whose answer is no page (a PDF, too large): why

    @classmethod
    def load(cls, folder: Path) -> CrawlState:
        try:
            data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder)
        return cls(folder, dict(data.get("pages", {})), dict(data.get("extras", {})), dict(data.get("refused", {})))

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"pages": self.pages, "extras": self.extras, "refused": self.refused}, indent=1, sort_keys=True),
            "utf-8",
        )
        os.replace(tmp, path)

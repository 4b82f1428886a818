"""A site's health library -> a folder of saved pages the indexer reads.

Stages: read robots.txt (conditional GET, its text kept in the state); seed the
frontier with the start URL and the in-scope URLs of the sitemap (given, named in
robots.txt, or /sitemap.xml); take URLs breadth-first within the scope, obeying
robots.txt, one polite request per host at a time; save each HTML page under its host,
named by its canonical URL and headed by a "saved from url" comment (as browsers write
it) so the article keeps its address; follow in-scope links of every page, changed or
not; re-check pages of the last crawl that were not reached, removing those the site
answers 404/410 or robots.txt now refuses; keep the validators for the next crawl.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from protego import Protego
from tqdm import tqdm

from crawler.fetch import USER_AGENT, Fetched, Fetcher
from crawler.sitemap import read_sitemap
from crawler.state import CrawlState
from crawler.urls import Scope, file_for, normalise

MAX_SITEMAPS = 50
# Answers that are no article whatever the day: not asked for again on the next crawl.
LASTING = ("not HTML", "too large")
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


@dataclass
class CrawlReport:
    """What a crawl did, page by page."""

    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    bodies: int = 0  # response bodies transferred, robots.txt and sitemaps included
    bytes: int = 0


@dataclass
class Settings:
    """How far and how politely to crawl."""

    prefix: str | None = None
    sitemap: str | None = None
    max_pages: int = 500
    delay: float = 1.0
    timeout: float = 10.0
    max_bytes: int = 2 * 1024 * 1024
    progress: bool = False


def crawl(
    start: str,
    into: Path,
    settings: Settings | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CrawlReport:
    """Fetch the library under ``start`` into ``into``; only what changed since the last crawl is transferred."""
    settings = settings or Settings()
    start = normalise(start)
    scope = Scope.of(start, settings.prefix)
    state = CrawlState.load(into)
    timeout = httpx.Timeout(settings.timeout)
    with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, transport=transport) as client:
        fetcher = Fetcher(client, settings.delay, settings.max_bytes, sleep)
        robots = _robots(fetcher, scope, state)
        fetcher.delay = max(settings.delay, robots.crawl_delay(USER_AGENT) or 0)
        job = _Job(fetcher, scope, robots, state, CrawlReport(), settings)
        fetcher.allowed = job.refusal
        job.run([start, *_sitemap_urls(fetcher, scope, state, settings.sitemap, robots)])
        job.recheck()
    state.save()
    job.report.bodies, job.report.bytes = fetcher.bodies, fetcher.bytes
    return job.report


def _robots(fetcher: Fetcher, scope: Scope, state: CrawlState) -> Protego:
    """robots.txt: missing (4xx) allows everything; unreachable (5xx, timeout) allows nothing."""
    url = scope.origin + "/robots.txt"
    text, result = _extra(fetcher, state, url)
    if text is None:
        text = "" if result.reason.startswith("HTTP 4") else DISALLOW_ALL
    return Protego.parse(text)


def _extra(fetcher: Fetcher, state: CrawlState, url: str) -> tuple[str | None, Fetched]:
    """robots.txt or a sitemap, by conditional GET; its text is kept for when it is unchanged."""
    known = state.extras.get(url, {})
    result = fetcher.get(url, known.get("etag", ""), known.get("last_modified", ""), html=False)
    if result.status == "ok":
        text = result.body.decode("utf-8", errors="replace")
        state.extras[url] = {"etag": result.etag, "last_modified": result.last_modified, "text": text}
        return text, result
    if result.status == "unchanged" and "text" in known:
        return known["text"], result
    state.extras.pop(url, None)
    return None, result


def _sitemap_urls(fetcher: Fetcher, scope: Scope, state: CrawlState, given: str | None, robots: Protego) -> list[str]:
    """Page URLs of the sitemap (and of the sitemaps a sitemap index names), in scope."""
    queue = deque([given] if given else [u for u in robots.sitemaps if u.startswith(scope.origin)])
    if not queue:
        queue.append(scope.origin + "/sitemap.xml")
    pages: list[str] = []
    for _ in range(MAX_SITEMAPS):
        if not queue:
            break
        text, _result = _extra(fetcher, state, normalise(queue.popleft()))
        found, children = read_sitemap(text.encode("utf-8")) if text else ([], [])
        pages += [normalise(url) for url in found]
        queue.extend(child for child in children if child.startswith(scope.origin))
    return [url for url in pages if scope.is_page(url)]


@dataclass
class _Job:
    """One crawl's frontier and bookkeeping."""

    fetcher: Fetcher
    scope: Scope
    robots: Protego
    state: CrawlState
    report: CrawlReport
    settings: Settings
    seen: set[str] = field(default_factory=set)

    def refusal(self, url: str) -> str:
        """Why a URL may not be fetched, or ''."""
        if not self.scope.contains(url):
            return "outside the crawl's scope"
        return "" if self.robots.can_fetch(url, USER_AGENT) else "disallowed by robots.txt"

    def run(self, seeds: Iterable[str]) -> None:
        frontier = deque(seeds)
        with tqdm(desc="crawl", unit=" pages", disable=not self.settings.progress) as bar:
            while frontier and len(self.report.fetched) + len(self.report.unchanged) < self.settings.max_pages:
                url = frontier.popleft()
                if url in self.seen:
                    continue
                self.seen.add(url)
                frontier.extend(self._visit(url))
                bar.update()

    def _visit(self, url: str) -> list[str]:
        """Fetch one URL, record what came of it, and return its in-scope links."""
        refusal = self.refusal(url) or self.state.refused.get(url, "")
        if refusal:
            self.report.skipped.append((url, refusal))
            return []
        result = self._get(url)
        if result.reason.startswith(LASTING):
            self.state.refused[url] = result.reason + " (known from an earlier crawl)"
        if result.status == "ok":
            return self._save(url, result)
        if result.status == "unchanged":
            self.report.unchanged.append(url)
            return self._links(self._saved(url).read_bytes(), url)
        if result.status == "gone" and url in self.state.pages:
            self._remove(url)
        else:
            self.report.skipped.append((url, result.reason))
        return []

    def _get(self, url: str) -> Fetched:
        known = self.state.pages.get(url, {})
        if known and not self._saved(url).is_file():
            known = {}  # the saved copy is gone: fetch it whole
        return self.fetcher.get(url, known.get("etag", ""), known.get("last_modified", ""))

    def _save(self, url: str, result: Fetched) -> list[str]:
        canonical = _canonical(result.body, result.url)
        key = canonical if canonical and self.scope.is_page(canonical) else url
        if key != url and key in self.seen and key not in self.state.pages:
            self.report.skipped.append((url, f"duplicate of {key}"))
            return []
        self.seen.add(key)
        path = self.state.folder / file_for(key)
        _write(path, f"<!-- saved from url=({len(key):04d}){key} -->\n".encode() + result.body)
        self.state.pages[key] = {"file": str(file_for(key)), "etag": result.etag, "last_modified": result.last_modified}
        self.report.fetched.append(key)
        return self._links(result.body, result.url)

    def _links(self, body: bytes, base: str) -> list[str]:
        soup = BeautifulSoup(body, "lxml")
        links = (normalise(a["href"], base) for a in soup.find_all("a", href=True) if not a["href"].startswith("#"))
        return [link for link in links if self.scope.is_page(link) and link not in self.seen]

    def _saved(self, url: str) -> Path:
        return self.state.folder / self.state.pages.get(url, {}).get("file", str(file_for(url)))

    def _remove(self, url: str) -> None:
        self._saved(url).unlink(missing_ok=True)
        del self.state.pages[url]
        self.report.removed.append(url)

    def recheck(self) -> None:
        """Pages of the last crawl not reached this time: kept while the site still serves them."""
        for url in [u for u in self.state.pages if u not in self.seen]:
            self.seen.add(url)
            if self.refusal(url):
                self._remove(url)
                continue
            result = self._get(url)
            if result.status == "ok":
                self._save(url, result)
            elif result.status == "gone":
                self._remove(url)
            elif result.status == "unchanged":
                self.report.unchanged.append(url)


def _canonical(body: bytes, base: str) -> str:
    link = BeautifulSoup(body, "lxml").find("link", rel="canonical", href=True)
    return normalise(link["href"], base) if link else ""


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)

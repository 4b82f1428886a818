"""One polite, bounded HTTP GET: conditional, redirects checked hop by hop, size and type limits.

Stages: wait out the host's delay; send If-None-Match / If-Modified-Since from the last
crawl, so an unchanged page answers 304 with no body; follow redirects one hop at a time
(each must stay in scope and be allowed), refusing loops; refuse what is not HTML or is
larger than the limit before reading its body; read it in chunks, stopping at the limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from crawler.urls import normalise

USER_AGENT = "healthsearch-crawler/0.1 (+https://pypi.org/project/httpx/)"
HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Fetched:
    """What one GET came to: ``ok`` (a body), ``unchanged`` (304), ``gone`` (404/410) or ``skipped``."""

    url: str
    status: str
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    reason: str = ""


@dataclass
class Fetcher:
    """GETs through one httpx client, keeping each host's delay and counting bodies transferred."""

    client: httpx.Client
    delay: float = 1.0
    max_bytes: int = 2 * 1024 * 1024
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    allowed: Callable[[str], str] = lambda url: ""  # a reason when a URL may not be fetched
    bodies: int = 0
    bytes: int = 0
    last_request: dict[str, float] = field(default_factory=dict)

    def get(self, url: str, etag: str = "", last_modified: str = "", html: bool = True) -> Fetched:
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        for _ in range(MAX_REDIRECTS + 1):
            try:
                result = self._once(url, headers, html)
            except httpx.TimeoutException:
                return Fetched(url, "skipped", reason="timed out")
            except httpx.HTTPError as error:
                return Fetched(url, "skipped", reason=f"network error: {type(error).__name__}")
            if not isinstance(result, str):
                return result
            url = result
            refusal = "redirect loop" if url in seen else self.allowed(url)
            if refusal:
                return Fetched(url, "skipped", reason=f"redirected: {refusal}")
            seen.add(url)
        return Fetched(url, "skipped", reason=f"more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, headers: dict[str, str], html: bool) -> Fetched | str:
        """The result, or the URL a redirect points to."""
        self._wait(url)
        with self.client.stream("GET", url, headers=headers) as response:
            if response.is_redirect and "location" in response.headers:
                return normalise(response.headers["location"], url)
            return self._read(url, response, html)

    def _wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self.last_request.get(host)
        if last is not None and self.clock() - last < self.delay:
            self.sleep(self.delay - (self.clock() - last))
        self.last_request[host] = self.clock()

    def _read(self, url: str, response: httpx.Response, html: bool) -> Fetched:
        code = response.status_code
        if code == 304:
            return Fetched(url, "unchanged")
        if code in (404, 410):
            return Fetched(url, "gone", reason=f"HTTP {code}")
        if code >= 300:
            return Fetched(url, "skipped", reason=f"HTTP {code}")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if html and kind not in HTML_TYPES:
            return Fetched(url, "skipped", reason=f"not HTML ({kind or 'no content type'})")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return Fetched(url, "skipped", reason=f"too large ({int(declared)} bytes)")
        return self._body(url, response)

    def _body(self, url: str, response: httpx.Response) -> Fetched:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                return Fetched(url, "skipped", reason=f"too large (over {self.max_bytes} bytes)")
        self.bodies += 1
        self.bytes += len(body)
        etag, modified = response.headers.get("etag", ""), response.headers.get("last-modified", "")
        return Fetched(url, "ok", bytes(body), etag, modified)

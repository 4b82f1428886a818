"""URLs: one spelling per page, the part of a site a crawl keeps to, and the file a page is saved as."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit

# Links to these are files, not pages: not worth a request.
NOT_PAGES = re.compile(
    r"\.(pdf|jpe?g|png|gif|svg|webp|ico|css|js|json|xml|zip|gz|mp[34]|mov|avi|docx?|xlsx?|pptx?)$", re.I
)


def normalise(url: str, base: str = "") -> str:
    """An absolute URL without fragment, default port or dot segments, host in lower case.

    >>> normalise("../b/./c.html#top", "HTTP://Example.org:80/a/x/")
    'http://example.org/a/b/c.html'
    """
    parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = posixpath.normpath(parts.path) if parts.path else "/"
    path = path + "/" if parts.path.endswith("/") and not path.endswith("/") else path
    return urlunsplit((scheme, netloc, path.replace("//", "/"), parts.query, ""))


@dataclass(frozen=True)
class Scope:
    """One host and a path prefix under it: the health library, not the whole site."""

    origin: str
    prefix: str

    @classmethod
    def of(cls, start: str, prefix: str | None = None) -> Scope:
        parts = urlsplit(normalise(start))
        folder = parts.path if parts.path.endswith("/") else posixpath.dirname(parts.path) + "/"
        wanted = prefix if prefix else folder
        return cls(f"{parts.scheme}://{parts.netloc}", "/" + wanted.lstrip("/"))

    def contains(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin and parts.path.startswith(self.prefix)

    def is_page(self, url: str) -> bool:
        """In scope and not a link to a file (a PDF, an image)."""
        return self.contains(url) and not NOT_PAGES.search(urlsplit(url).path)


def file_for(url: str) -> PurePosixPath:
    """The file a page is saved as, under its host: "/lyme/" -> "host/lyme/index.html".

    >>> str(file_for("https://www.cdc.gov/lyme/")), str(file_for("http://h:8000/a/b?x=1"))
    ('www.cdc.gov/lyme/index.html', 'h_8000/a/b-7caf6056.html')
    """
    parts = urlsplit(url)
    path = parts.path if not parts.path.endswith("/") else parts.path + "index.html"
    stem, suffix = posixpath.splitext(path.lstrip("/"))
    if parts.query:
        stem += "-" + hashlib.sha1(parts.query.encode()).hexdigest()[:8]
    safe = "/".join(re.sub(r"[^\w.-]", "_", piece) or "_" for piece in stem.split("/") if piece not in ("", ".", ".."))
    host = re.sub(r"[^\w.-]", "_", parts.netloc)
    return PurePosixPath(host, (safe or "index") + (suffix if suffix.lower() in (".html", ".htm") else ".html"))

"""The crawler against a real HTTP server on loopback serving the womenshealth.gov pages of the real-page set.

The server speaks ETag/If-None-Match and Last-Modified like a real site, and serves a few
hostile URLs beside the library: a redirect loop, a page larger than the limit, a page
slower than the timeout and a PDF without an extension.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from crawler.crawl import CrawlReport, Settings, crawl
from indexer.build import build_index
from indexer.sources.files import SourceFile, read_article
from indexer.store import IndexStore
from search_app import create_app
from search_app.cli import main
from tests.conftest import SHARED

PAGES = sorted((SHARED / "data" / "real-pages" / "womenshealth").glob("*.html"))
LIBRARY = "/a-z-topics/"
HOSTILE = {"loop": "redirect loop", "huge": "too large", "slow": "timed out", "leaflet": "not HTML (application/pdf)"}
FAST = Settings(delay=0, timeout=0.5)


class Site(ThreadingHTTPServer):
    """A folder served over HTTP, logging each request's path and status."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = root
        self.log: list[tuple[str, int]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def bodies(self) -> int:
        return sum(1 for _, status in self.log if status == 200)


class Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.log.append((urlsplit(self.path).path, code))
        super().send_response(code, message)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        name = path.rsplit("/", 1)[-1].removesuffix(".html").removesuffix("-b")
        if name in HOSTILE:
            return getattr(self, "serve_" + name)()
        file = self.server.root / path.lstrip("/")
        if not file.is_file():
            return self.send_error(404)
        self.serve_file(file)

    def serve_file(self, file: Path) -> None:
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        kinds = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain"}
        self.send_response(200)
        self.send_header("Content-Type", kinds.get(file.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(file.stat().st_mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(data)

    def serve_loop(self) -> None:
        self.send_response(302)
        target = "loop-b.html" if self.path.endswith("loop.html") else "loop.html"
        self.send_header("Location", target)
        self.end_headers()

    def serve_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(100):  # 6.4 MB, no Content-Length: only reading tells
                self.wfile.write(b"<p>" + b"x" * 65530 + b"</p>")
        except OSError:
            pass  # the crawler hung up at its limit

    def serve_slow(self) -> None:
        time.sleep(2)  # longer than the crawler waits; then hang up without an answer

    def serve_leaflet(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", "9")
        self.end_headers()
        self.wfile.write(b"%PDF-1.4\n")


def write_sitemap(root: Path, base: str) -> None:
    names = [p.name for p in (root / LIBRARY.strip("/")).glob("*.html")] + [f"{n}.html" for n in HOSTILE]
    names = [n.removesuffix(".html") if n == "leaflet.html" else n for n in names]
    urls = "".join(f"<url><loc>{base}{LIBRARY}{name}</loc></url>" for name in sorted(names))
    xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    (root / "sitemap.xml").write_text(xml, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    (root / LIBRARY.strip("/")).mkdir(parents=True)
    for page in PAGES:
        shutil.copy(page, root / LIBRARY.strip("/") / page.name)
    server = Site(root)
    (root / "robots.txt").write_text(f"User-agent: *\nDisallow: /search\nSitemap: {server.base}/sitemap.xml\n")
    write_sitemap(root, server.base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def page_url(site: Site, name: str) -> str:
    return f"{site.base}{LIBRARY}{name}.html"


def library_urls(site: Site) -> set[str]:
    return {page_url(site, p.stem) for p in PAGES}


def first_crawl(site: Site, into: Path) -> CrawlReport:
    return crawl(page_url(site, "migraine"), into, FAST)


def test_first_crawl_saves_the_library_and_the_index_reads_it(site: Site, tmp_path: Path) -> None:
    into = tmp_path / "corpus"
    report = first_crawl(site, into)
    assert set(report.fetched) == library_urls(site)
    assert report.bodies == len(PAGES) + 2  # the pages, robots.txt and the sitemap
    saved = sorted(into.rglob("*.html"))
    assert len(saved) == len(PAGES)
    article = read_article(SourceFile(into, next(p for p in saved if p.name == "endometriosis.html")))
    assert article.url == page_url(site, "endometriosis")
    assert article.title == "Endometriosis"
    store = IndexStore(tmp_path / "index")
    assert build_index([into], store).articles == len(PAGES)
    app = create_app({"TESTING": True, "INDEX_DIR": str(store.root), "RATELIMIT_ENABLED": False})
    html = app.test_client().get("/search?q=endometriosis").get_data(as_text=True)
    assert f'<a href="{page_url(site, "endometriosis")}" rel="noopener nofollow">Original page</a>' in html


@pytest.mark.parametrize(("name", "reason"), sorted(HOSTILE.items()))
def test_hostile_urls_are_skipped_with_a_reason(site: Site, tmp_path: Path, name: str, reason: str) -> None:
    report = first_crawl(site, tmp_path / "corpus")
    reasons = {url.rsplit("/", 1)[-1].removesuffix(".html"): why for url, why in report.skipped}
    assert reason in reasons[name]
    assert set(report.fetched) == library_urls(site)  # the crawl went on


def test_recrawl_of_an_unchanged_site_transfers_no_body(site: Site, tmp_path: Path) -> None:
    into = tmp_path / "corpus"
    first_crawl(site, into)
    site.log.clear()
    report = first_crawl(site, into)
    assert site.bodies() == 0 and report.bodies == 0
    assert set(report.unchanged) == library_urls(site) and report.fetched == []
    assert ("/robots.txt", 304) in site.log and ("/sitemap.xml", 304) in site.log


def test_a_changed_page_is_fetched_again(site: Site, tmp_path: Path) -> None:
    into = tmp_path / "corpus"
    first_crawl(site, into)
    page = site.root / "a-z-topics" / "migraine.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "<p>A new paragraph.</p></main>"), "utf-8")
    site.log.clear()
    report = first_crawl(site, into)
    assert report.fetched == [page_url(site, "migraine")]
    assert site.bodies() == 1
    assert "A new paragraph." in next(into.rglob("migraine.html")).read_text(encoding="utf-8")


def test_a_removed_page_leaves_the_folder_and_the_index(site: Site, tmp_path: Path) -> None:
    into = tmp_path / "corpus"
    first_crawl(site, into)
    store = IndexStore(tmp_path / "index")
    build_index([into], store)
    (site.root / "a-z-topics" / "hashimotos-disease.html").unlink()
    write_sitemap(site.root, site.base)
    report = first_crawl(site, into)
    assert report.removed == [page_url(site, "hashimotos-disease")]
    assert not list(into.rglob("hashimotos-disease.html"))
    assert build_index([into], store).removed == 1


def test_robots_disallow_is_obeyed(site: Site, tmp_path: Path) -> None:
    (site.root / "robots.txt").write_text("User-agent: *\nDisallow: /a-z-topics/uterine\n")
    report = first_crawl(site, tmp_path / "corpus")
    assert (page_url(site, "uterine-fibroids"), "disallowed by robots.txt") in report.skipped
    assert not any(path.startswith("/a-z-topics/uterine") for path, _ in site.log)
    assert page_url(site, "migraine") in report.fetched


def test_the_delay_is_kept_between_requests_to_a_host(site: Site, tmp_path: Path) -> None:
    """Waits are asked of an injected sleep, so the test measures what was asked, not time."""
    waits: list[float] = []
    crawl(
        page_url(site, "migraine"), tmp_path / "corpus", Settings(delay=5, timeout=0.5, max_pages=2), sleep=waits.append
    )
    assert len(waits) >= len(site.log) - 1 > 0
    assert all(0 < wait <= 5 for wait in waits)


def test_max_pages_bounds_the_crawl(site: Site, tmp_path: Path) -> None:
    report = crawl(page_url(site, "migraine"), tmp_path / "corpus", Settings(delay=0, timeout=0.5, max_pages=3))
    assert len(report.fetched) == 3


def test_crawl_command_prints_a_summary(site: Site, tmp_path: Path) -> None:
    url = page_url(site, "migraine")
    result = CliRunner().invoke(main, ["crawl", url, "--into", str(tmp_path / "c"), "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert f"Fetched {len(PAGES)}, unchanged 0, removed 0" in result.output
    assert "redirect loop" in result.output

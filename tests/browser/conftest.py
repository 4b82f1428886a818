"""A real server, a real index and Debian's Chromium driven by Playwright, one of each per session.

The app runs in a thread on a free loopback port under the Content-Security-Policy
it sends itself (``default-src 'self'`` and more, no inline script or style), so an
inline script or style the search box needed would show up as a console error.  A second server on another
origin (``localhost`` rather than ``127.0.0.1``) plays a site embedding the box.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, Response, request
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from tests.conftest import CORPUS, REPO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ANYTHING_GOES = "default-src * 'unsafe-inline' 'unsafe-eval'"
NO_CSP_HEADER = "X-Test-No-CSP"  # the security tests turn the CSP off, so escaping alone must stop the payloads
SCREENSHOTS = REPO / "build" / "screenshots"
ARTICLES = ("acne.html", "acne-scars.html", "asthma.html", "conjunctivitis.html", "gout.html", "glaucoma.html")

# Text that looks like markup inside an article: it must reach the page as text.
HOSTILE_ARTICLE = """<!doctype html><html><head><title>Rash</title></head><body><article>
<h1>Rash &lt;img src=x onerror="window.__pwned='title';alert('title')"&gt;</h1>
<p class="also-called">Also called: skin rash &lt;script&gt;window.__pwned='alias'&lt;/script&gt;</p>
<h2 id="overview">Overview</h2>
<p>A rash changes the skin's colour or texture. <script>window.__pwned = 'raw script'; alert('raw')</script>
&lt;script&gt;window.__pwned='text script';alert('text')&lt;/script&gt;
<img src="x" onerror="window.__pwned='raw img'"> &lt;img src=x onerror=alert('text img')&gt;</p>
<h2 id="treatment">Treatment</h2>
<p>Soothing creams help most rashes &lt;svg onload=alert('svg')&gt;.</p>
</article></body></html>
"""


@dataclass
class Served:
    url: str
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def serve(app: Flask) -> Served:
    """Serve an app on a free loopback port in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Served(f"http://127.0.0.1:{server.server_port}", app, server, thread)


def csp_off_on_request(response: Response) -> Response:
    """Runs before the app's own headers, which then keep this policy (they are set by default only)."""
    if NO_CSP_HEADER in request.headers:
        response.headers["Content-Security-Policy"] = ANYTHING_GOES
    return response


@pytest.fixture(scope="session")
def embedding_site() -> Iterator[Served]:
    """Another origin: a page that embeds the box from the app, as a site would. Its URL is set later."""
    site = Flask("embedding_site")
    site.config["APP_URL"] = ""

    @site.get("/")
    def page() -> Response:
        app_url = site.config["APP_URL"]
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic</title>
<link rel="icon" href="{app_url}/static/favicon.svg">
<link rel="stylesheet" href="{app_url}/static/widget.css">
<script src="{app_url}/static/widget.js" defer></script></head>
<body><h1>Our clinic</h1><div data-healthsearch data-placeholder="Search our library"></div></body></html>"""
        response = Response(body, mimetype="text/html")
        response.headers["Content-Security-Policy"] = f"default-src 'self' {app_url}"
        return response

    served = serve(site)
    served.url = served.url.replace("127.0.0.1", "localhost")  # same machine, another origin
    yield served
    served.stop()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory, embedding_site: Served) -> Iterator[Served]:
    """The app over a small real index (bundled articles plus one hostile one), served for real."""
    folder = tmp_path_factory.mktemp("browser-articles")
    for name in ARTICLES:
        shutil.copy(CORPUS / name, folder / name)
    (folder / "rash.html").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    index = tmp_path_factory.mktemp("browser-index")
    build_index([folder], IndexStore(index))
    # Every test of the session shares one client address: the visitors' page limit would soon answer 429.
    config = {"CORS_ORIGINS": embedding_site.url, "PAGE_RATE_LIMIT": "100000/minute"}
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), **config})
    app.after_request(csp_off_on_request)
    served = serve(app)
    embedding_site.app.config["APP_URL"] = served.url
    yield served
    served.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium; Playwright never downloads a browser of its own here."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watched:
    """A page with what went wrong on it: console errors, uncaught exceptions, dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def watch(context: BrowserContext) -> Watched:
    watched = Watched(context.new_page())

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watched.errors.append(f"console {message.type}: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    watched.page.on("console", on_console)
    watched.page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    watched.page.on("dialog", on_dialog)
    return watched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1024, "height": 720})
    yield context
    context.close()


@pytest.fixture
def watched(context: BrowserContext) -> Watched:
    return watch(context)


@pytest.fixture
def page(watched: Watched) -> Page:
    return watched.page


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    shots = sorted(SCREENSHOTS.glob("*.png")) if SCREENSHOTS.is_dir() else []
    if shots:
        terminalreporter.write_line(f"search box screenshots: {', '.join(str(s) for s in shots)}")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One test process runs every browser test, so the session's browser and servers start once."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("browser"))

"""Every visitor and staff page in Chromium at desktop and phone sizes: what a visitor sees, axe-core, screenshots.

The app serves the whole bundled corpus plus a second "Gout" from another folder (so
same-named articles fold), under its own Content-Security-Policy.  axe-core comes from
the pinned `axe-playwright-python` wheel (its axe.min.js checked against a SHA-256
below); nothing is fetched while the tests run.  Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from axe_playwright_python import base as axe_base
from playwright.sync_api import Browser, BrowserContext, Page, expect

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import accounts, create_app
from tests.browser.conftest import SCREENSHOTS, Served, Watched, serve, watch
from tests.conftest import CORPUS

AXE_SHA256 = "84494fec757e4710dc751c8d7a636e457f4532f08f85c86dc9070133fbff53bc"  # axe-core 4.12.1
SIZES = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 667}}
PASSWORD = "browser test password"
GOUT_ELSEWHERE = """<article><h1>gout</h1><h2 id="overview">Overview</h2>
<p>Gout is a kind of arthritis: sudden, severe pain and swelling in a joint, often the big toe.</p></article>"""


@cache
def axe_script() -> str:
    """axe.min.js from the pinned wheel, refused if it is not the file this suite was checked with."""
    data = Path(axe_base.AXE_FILE_PATH).read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "axe.min.js is not the pinned axe-core 4.12.1"
    return data.decode("utf-8")


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands."""
    page.evaluate(axe_script())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The bundled corpus, a same-named second Gout, a query log and a staff account, served for real."""
    root = tmp_path_factory.mktemp("site")
    articles, elsewhere = root / "corpus", root / "Partner site"  # a folder's name is its articles' source
    shutil.copytree(CORPUS, articles)
    elsewhere.mkdir()
    (elsewhere / "gout-basics.html").write_text(GOUT_ELSEWHERE, encoding="utf-8")
    build_index([articles, elsewhere], IndexStore(root / "index"))
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(root / "index"),
            "QUERY_LOG": str(root / "querylog.sqlite3"),
            "STAFF_DB": str(root / "staff.sqlite3"),
            "API_RATE_LIMIT": "10000 per minute",
        }
    )
    accounts.add(app.config["STAFF_DB"], "editor", PASSWORD)
    served = serve(app)
    yield served
    served.stop()


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sized(browser: Browser, size: str) -> Iterator[Watched]:
    context = browser.new_context(viewport=SIZES[size], is_mobile=size == "mobile", has_touch=size == "mobile")
    yield watch(context)
    context.close()


def sign_in(page: Page, site: Served) -> None:
    page.goto(site.url + "/staff/login")
    page.fill("input[name=name]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(site.url + "/staff")


PAGES = {
    "home": "/",
    "results": "/search?q=chest+pain",
    "results-gout": "/search?q=gout",
    "article": "/articles/heart-attack?q=chest+pain&section=signs-and-symptoms#signs-and-symptoms",
    "a-to-z": "/articles?letter=g",
    "no-results": "/search?q=xyzzyq+plugh",
    "error": "/search?q=gout&page=500",
    "demo": "/demo",
}
STAFF_PAGES = {
    "staff-overview": "/staff",
    "staff-coverage": "/staff/coverage",
    "staff-demand": "/staff/demand",
    "staff-checklist": "/staff/checklist",
}


def test_every_page_passes_axe_and_is_photographed(site: Served, sized: Watched, size: str) -> None:
    page = sized.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, path in PAGES.items():
        page.goto(site.url + path)
        found[name] = serious_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
        if name == "error":  # its 400 status is the one console error expected
            assert [e for e in sized.errors if "400" not in e] == []
            sized.errors.clear()
    sign_in(page, site)
    for name, path in STAFF_PAGES.items():
        page.goto(site.url + path)
        found[name] = serious_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    assert {name: v for name, v in found.items() if v} == {}
    assert sized.errors == []


def test_the_home_page_is_a_front_page(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + "/")
    expect(page.locator("h1")).to_have_text("Find health information you can trust")
    expect(page.locator("header .brand")).to_have_text("Health library")
    assert page.locator(".topics .tiles a").count() == 8
    expect(page.locator(".browse .letters a").first).to_be_visible()
    button = page.locator("header button[type=submit]")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"  # not the grey default
    box = button.bounding_box()
    assert box is not None and box["height"] >= 24


def test_results_have_a_heading_an_honest_count_and_the_emergency_first(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + "/search?q=chest+pain")
    expect(page.locator("h1")).to_have_text("Results for “chest pain”")
    expect(page.locator(".urgent")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("match all your words")
    assert " ms" not in page.locator(".summary").inner_text()
    expect(page.locator(".hit h2").first).to_have_text("Heart Attack")


def test_one_result_per_condition(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + "/search?q=gout")
    assert [t.lower() for t in page.locator(".hit h2").all_inner_texts()].count("gout") == 1
    expect(page.locator(".hit .also").first).to_contain_text("Also from")
    page.goto(site.url + "/articles?letter=g")
    assert page.locator(".library > li", has_text="Gout").count() == 1


def test_filters_sit_above_the_results_on_a_phone_and_beside_them_on_a_desk(
    site: Served, sized: Watched, size: str
) -> None:
    page = sized.page
    page.goto(site.url + "/search?q=pain")
    summary, first = page.locator(".filters summary"), page.locator(".hit").first
    facets = page.locator(".facets")
    if size == "mobile":
        expect(facets).to_be_hidden()
        assert summary.bounding_box()["y"] < first.bounding_box()["y"]
        summary.click()
        expect(facets).to_be_visible()
    else:
        expect(facets).to_be_visible()
        assert facets.bounding_box()["x"] > first.bounding_box()["x"] + 300  # a column beside the results


def test_tap_targets_are_at_least_24_px(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + "/search?q=pain")
    page.locator(".filters summary").click() if not page.locator(".facets").is_visible() else None
    links = page.locator(".pages a, .facets a")
    assert links.count() > 5
    small = []
    for box, text in zip(
        [links.nth(i).bounding_box() for i in range(links.count())], links.all_inner_texts(), strict=True
    ):
        if box is None or box["width"] < 24 or box["height"] < 24:
            small.append((text, box))
    assert small == []


def test_the_best_match_badge_stays_on_one_line(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + PAGES["article"])
    badge = page.locator(".badge")
    expect(badge).to_have_text("Best match")
    height = badge.bounding_box()["height"]
    line = badge.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    assert height < 1.5 * line


def test_an_article_marks_the_section_arrived_at_and_steps_through_it(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + PAGES["article"])
    in_section = page.locator("section#signs-and-symptoms p mark, section#signs-and-symptoms li mark").count()
    elsewhere = page.locator("section:not(#signs-and-symptoms) p mark, section:not(#signs-and-symptoms) li mark")
    assert in_section > 0 and elsewhere.count() == 0
    steps = page.locator("[data-mark-steps]")
    expect(steps).to_be_visible()
    steps.get_by_role("button", name="Next").click()
    expect(page.locator("mark.current")).to_have_count(1)
    expect(steps.locator("[data-mark-count]")).to_contain_text("Match 1 of")
    steps.get_by_role("button", name="Previous").click()  # back past the first: round to the last
    marks = page.locator("article section mark").count()
    expect(steps.locator("[data-mark-count]")).to_have_text(f"Match {marks} of {marks}")
    assert sized.errors == []


def test_recent_searches_stay_in_the_browser_and_can_be_cleared(site: Served, sized: Watched) -> None:
    page = sized.page
    for query in ("gout", "asthma"):
        page.goto(site.url + "/search?q=" + query)
    page.goto(site.url + "/")
    recent = page.locator("[data-recent]")
    expect(recent).to_be_visible()
    assert recent.locator("li").all_inner_texts() == ["asthma", "gout"]
    recent.get_by_role("button", name="Clear recent searches").click()
    expect(recent).to_be_hidden()
    assert page.evaluate("localStorage.getItem('healthsearch.recent')") is None


def test_a_search_without_results_can_be_reported(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + PAGES["no-results"])
    page.get_by_role("button", name="Tell us it should have").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    expect(page.locator("main")).to_contain_text("We will look at")


def test_errors_read_as_sentences(site: Served, sized: Watched) -> None:
    page = sized.page
    page.goto(site.url + PAGES["error"])
    expect(page.locator(".error")).to_contain_text("There is no such page of results")
    assert "'page'" not in page.content()


def test_without_javascript_the_filter_button_still_opens(site: Served, browser: Browser) -> None:
    context: BrowserContext = browser.new_context(viewport=SIZES["mobile"], java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/search?q=pain")
    expect(page.locator(".facets")).to_be_hidden()
    page.locator(".filters summary").click()
    expect(page.locator(".facets")).to_be_visible()
    context.close()


def test_staff_coverage_shows_grades_in_text_and_a_chart_with_a_legend(site: Served, sized: Watched) -> None:
    page = sized.page
    sign_in(page, site)
    page.goto(site.url + "/staff/coverage")
    expect(page.locator(".policy")).to_contain_text("Every article:")
    expect(page.locator("svg.chart .legend")).to_contain_text("Missing")
    expect(page.locator("svg.chart")).to_contain_text("100 %")
    assert page.locator("td.cell .mark").count() > 0


def test_axe_would_catch_a_violation(sized: Watched) -> None:
    sized.page.set_content('<html lang="en"><title>t</title><body><main><img src="x.png"></main></body></html>')
    assert any(v.startswith("image-alt (critical)") for v in serious_violations(sized.page))

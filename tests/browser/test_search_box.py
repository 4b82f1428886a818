"""The search box in a real browser: typing, keyboard, ARIA, no-JS, mobile, another origin, hostile text."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ANYTHING_GOES, NO_CSP_HEADER, SCREENSHOTS, Served, Watched, watch

BOX = "input[name=q]"
OPTIONS = "[role=listbox] [role=option]"


def type_slowly(page: Page, text: str) -> None:
    """Key by key, as a person types: every keystroke fires its own input event."""
    box = page.locator(BOX).first
    box.fill("")
    box.click()
    page.keyboard.type(text, delay=20)


def assert_clean(watched: Watched) -> None:
    assert watched.errors == []
    assert watched.dialogs == []


def test_suggestions_appear_while_typing(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    type_slowly(page, "acn")
    options = page.locator(OPTIONS)
    expect(options.first).to_have_text("Acne")
    expect(options.nth(1)).to_have_text("Acne Scars")
    texts = options.all_inner_texts()
    assert "Acne Scars — Treatment" in texts
    expect(options.first.locator("mark")).to_have_text("Acn")  # the typed prefix, highlighted
    page.keyboard.type("e s", delay=20)
    expect(options.first).to_have_text("Acne Scars")
    assert_clean(watched)


def test_keyboard_selection_lands_on_the_section_with_words_marked(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    type_slowly(page, "acne scars tre")
    expect(page.locator(OPTIONS).first).to_have_text("Acne Scars — Treatment")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/acne-scars\?.*#treatment-options$"))
    url = urlsplit(page.url)
    assert parse_qs(url.query) == {"q": ["Acne Scars"], "section": ["treatment-options"]}
    expect(page.locator("section#treatment-options.best")).to_be_visible()
    expect(page.locator("section#treatment-options .badge")).to_have_text("Best match")
    assert page.locator("article mark").count() > 0
    assert page.evaluate("location.hash") == "#treatment-options"
    assert_clean(watched)


def test_escape_closes_then_clears(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    type_slowly(page, "gou")
    box, listbox = page.locator(BOX), page.locator("[role=listbox]")
    expect(listbox).to_be_visible()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("gou")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    assert_clean(watched)


def test_combobox_aria(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    box = page.locator(BOX)
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox_id = box.get_attribute("aria-controls")
    listbox = page.locator(f"#{listbox_id}")
    expect(listbox).to_have_attribute("role", "listbox")
    expect(page.get_by_role("combobox", name="Search health articles")).to_be_visible()
    type_slowly(page, "acne")
    expect(box).to_have_attribute("aria-expanded", "true")
    count = page.locator(OPTIONS).count()
    expect(page.locator("[role=status]")).to_have_text(re.compile(rf"^{count} suggestions?\."))
    assert box.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    assert page.locator(f"{OPTIONS}[aria-selected=true]").count() == 1
    assert page.locator(OPTIONS).nth(1).get_attribute("id") == active
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") is None  # back in the text, as typed
    expect(box).to_be_focused()
    assert_clean(watched)


def test_slash_focuses_the_box_unless_typing(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/demo")
    page.locator("h1").click()
    page.keyboard.press("/")
    box = page.locator(BOX)
    expect(box).to_be_focused()
    page.keyboard.type("a/b")
    expect(box).to_have_value("a/b")  # in a field, "/" is just a character
    assert_clean(watched)


def test_mouse_click_on_a_suggestion(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    type_slowly(page, "pink")
    option = page.locator(OPTIONS).first
    expect(option).to_have_text("pink eye → Conjunctivitis")
    option.click()
    page.wait_for_url(re.compile(r"/articles/conjunctivitis\?q=pink\+eye$"))
    expect(page.locator("h1")).to_have_text("Conjunctivitis")
    assert_clean(watched)


def test_enter_without_a_choice_submits_the_search(live_app: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(live_app.url + "/")
    type_slowly(page, "gout")
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=gout$"))
    expect(page.locator(".hit h2").first).to_contain_text("Gout")
    assert_clean(watched)


def test_without_javascript_the_form_lands_on_search(live_app: Served, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_app.url + "/articles/gout")
        box = page.locator(BOX)
        assert box.get_attribute("role") is None  # nothing enhanced it
        box.fill("asthma")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=asthma$"))
        expect(page.locator(".hit h2").first).to_contain_text("Asthma")
    finally:
        context.close()


def test_no_console_errors_under_the_csp_and_a_screenshot(live_app: Served, watched: Watched) -> None:
    page = watched.page
    response = page.goto(live_app.url + "/demo")
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    type_slowly(page, "acn")
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.keyboard.press("ArrowDown")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "search-box-demo.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    assert path.stat().st_size > 10_000
    for url in ("/", "/search?q=acne", "/articles/acne-scars?q=acne"):
        page.goto(live_app.url + url)
    assert_clean(watched)


def test_narrow_touch_screen(live_app: Served, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    try:
        watched = watch(context)
        page = watched.page
        page.goto(live_app.url + "/demo")
        page.locator(BOX).tap()
        page.keyboard.type("acne", delay=20)
        listbox = page.locator("[role=listbox]")
        expect(page.locator(OPTIONS).first).to_be_visible()
        box = listbox.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        assert page.locator(OPTIONS).first.bounding_box()["height"] >= 40  # big enough for a finger
        path = SCREENSHOTS / "search-box-mobile.png"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        print(f"screenshot: {path}")
        page.locator(OPTIONS).filter(has_text="Acne Scars — Treatment").tap()
        page.wait_for_url(re.compile(r"/articles/acne-scars\?.*#treatment-options$"))
        assert_clean(watched)
    finally:
        context.close()


def test_a_site_on_another_origin_embeds_the_box(live_app: Served, embedding_site: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(embedding_site.url + "/")
    box = page.get_by_role("combobox", name="Search health articles")
    expect(box).to_have_attribute("placeholder", "Search our library")
    box.click()
    page.keyboard.type("glau", delay=20)
    expect(page.locator(OPTIONS).first).to_have_text("Glaucoma")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(live_app.url + "/articles/glaucoma?q=Glaucoma")
    assert_clean(watched)


def test_the_embedding_site_without_cors_gets_nothing(
    live_app: Served, embedding_site: Served, browser: Browser
) -> None:
    live_app.app.config["CORS_ORIGINS"] = ""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(embedding_site.url + "/")
        page.locator(BOX).click()
        with page.expect_event("requestfailed", lambda r: "/api/suggest?q=glau" in r.url):
            page.keyboard.type("glau", delay=20)  # the browser refuses the answer to the other origin
        expect(page.locator("[role=listbox]")).to_be_hidden()
        page.locator(BOX).press("Enter")  # the plain form still works
        page.wait_for_url(live_app.url + "/search?q=glau")
    finally:
        live_app.app.config["CORS_ORIGINS"] = embedding_site.url
        context.close()


def test_markup_in_articles_and_queries_never_runs(live_app: Served, browser: Browser) -> None:
    # with the CSP off, only escaping stands between the payloads and the page
    context = browser.new_context(extra_http_headers={NO_CSP_HEADER: "1"})
    try:
        watched = watch(context)
        page = watched.page
        queries = ["<script>window.__pwned='q';alert('q')</script>", '"><img src=x onerror=alert(1)>', "rash"]
        for query in queries:
            response = page.goto(f"{live_app.url}/search?q={query}")
            assert response is not None and response.headers["content-security-policy"] == ANYTHING_GOES
        expect(page.locator(".hit h2").first).to_contain_text("<img src=x")  # shown as text
        page.goto(live_app.url + "/articles/rash?q=rash&section=treatment")
        expect(page.locator("h1")).to_contain_text("onerror=")
        expect(page.locator("#overview")).to_contain_text("<script>window.__pwned='text script'")
        type_slowly(page, "skin ra")
        expect(page.locator(OPTIONS).first).to_contain_text("<script>window.__pwned='alias'</script>")
        assert page.locator("[role=listbox] img, [role=listbox] script").count() == 0
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/articles/rash\?"))
        page.wait_for_timeout(200)  # give an image's onerror its chance
        assert page.evaluate("window.__pwned") is None
        assert watched.dialogs == []
    finally:
        context.close()

"""Hostile input: arbitrary and known-nasty queries, parameters and HTML never break anything or inject markup.

The rendered pages are checked by parsing them, not by searching for strings:
no <script> element, no on* attribute, no javascript: URL, and <mark> bare.
"""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.highlight import sanitise
from indexer.article import Article, ParseError
from indexer.build import build_index
from indexer.parse import parse_html
from indexer.sources.files import SourceFile, read_article
from indexer.store import IndexStore
from search_app import create_app
from tests.conftest import CORPUS

PLANTED = """<!doctype html><html><head><title>Planted</title>
<link rel="canonical" href="javascript:alert('canonical')"></head><body><article>
<h1>Plantaris &lt;script&gt;alert('title')&lt;/script&gt;</h1>
<p class="also-called">Also called: &lt;img src=x onerror=alert('alias')&gt;</p>
<h2 id="x&quot; onmouseover=&quot;alert('anchor')">Treatment &lt;svg onload=alert('heading')&gt;</h2>
<p>Rest the foot.<script>alert('script')</script> <img src=x onerror="alert('img')">
&lt;script&gt;alert('text')&lt;/script&gt; "&gt;&lt;img src=x onerror=alert('quote')&gt;
<a href="javascript:alert('link')">a link</a> <iframe src="https://evil.example"></iframe></p>
<style>body{display:none}</style><h2>Symptoms</h2><p onclick="alert('click')">Heel pain on rising.</p>
</article></body></html>"""

NASTY_QUERIES = [
    '"unbalanced',
    'heel "pain',
    '"',
    '""',
    "AND",
    "OR NOT AND",
    "-",
    "--heel",
    "+",
    "*",
    "a*",
    "?",
    "heel~2",
    "pain^10",
    "field:",
    "title:",
    "section:",
    "section:nonsense",
    "specialist:",
    'specialist:"',
    ":",
    "((heel)",
    "[a TO",
    "{",
    "\\",
    "'",
    "a " * 499,
    "\x01\x02\x1b[31mred\x7f",
    "\t\n\r\x0b\x0c",
    "heel\x00pain",
    "\x00",
    "\u202eniap leeh",
    "مرض السكري",
    "עברית",
    "🤒💊 heel",
    "\u200b\u200d\ufeff",
    "e\u0301\u0301\u0301",
    "ǅ İstanbul ß ﬁ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE articles; --",
    "1 OR 1=1",
    "UNION SELECT * FROM users",
    "%00 %27 %3Cscript%3E",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "../../etc/passwd",
    'heel source:"<img src=x onerror=alert(1)>"',  # a filter value is shown on its chip
    "specialist:<script>alert(1)</script> heel",
    "section:treatment",  # filters alone browse
    "source:corpus -heel",
]


def assert_inert(html: str) -> None:
    """No way for the page to run script or load a frame: nothing but text and the templates' own markup.

    Scripts and images may only be the site's own files (/static/...), with nothing inline.
    """
    soup = BeautifulSoup(html, "lxml")
    assert not soup.find_all(["iframe", "object", "embed", "svg", "style", "frame", "base"])
    own = soup.find_all(["script", "img"])
    for tag in own:
        assert str(tag.get("src", "")).startswith("/static/") and not tag.get_text(), tag
    assert html.lower().count("<script") == len(soup.find_all("script")), "a <script the parser did not see"
    for tag in soup.find_all(True):
        assert not [name for name in tag.attrs if name.lower().startswith("on")], tag
        for name in ("href", "src", "action"):
            assert not str(tag.get(name, "")).strip().lower().startswith("javascript:"), tag
    assert all(not mark.attrs for mark in soup.find_all("mark"))


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """A real index of a few articles plus a planted one, with rate limits out of the way."""
    folder = tmp_path_factory.mktemp("hostile") / "articles"
    folder.mkdir()
    for name in ("acne-scars.html", "gout.html", "asthma.html"):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    (folder / "planted.html").write_text(PLANTED)
    index = folder.parent / "index"
    build_index([folder], IndexStore(index))
    limits = {"API_RATE_LIMIT": "100000/second", "PAGE_RATE_LIMIT": "100000/second"}
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), **limits, "REQUEST_LOG": ""})
    return app.test_client()


def check_page(client: FlaskClient, path: str, params: dict[str, str]) -> None:
    response = client.get(path, query_string=params)
    assert response.status_code in (200, 400), (path, params, response.status_code)
    assert response.mimetype == "text/html"
    assert_inert(response.get_data(as_text=True))


def check_api(client: FlaskClient, params: dict[str, str]) -> None:
    response = client.get("/api/search", query_string=params)
    body = json.loads(response.get_data(as_text=True))  # always valid JSON
    if response.status_code == 400:
        assert body["error"].startswith(("The query is too long", "'page'", "'size'", "'section'")), body
        return
    assert response.status_code == 200, (params, response.status_code)
    for hit in body["hits"]:
        for section in hit["sections"]:
            assert_inert(section["snippet"])


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_nasty_queries_answer_normally(hostile_client: FlaskClient, query: str) -> None:
    check_api(hostile_client, {"q": query})
    assert hostile_client.get("/api/search", query_string={"q": query}).status_code == 200
    check_page(hostile_client, "/search", {"q": query})
    check_page(hostile_client, "/articles/gout", {"q": query, "section": query})
    check_page(hostile_client, "/articles/planted", {"q": query})


@pytest.mark.parametrize("query", ["x" * 10_000, "ü" * 1001])
def test_over_long_queries_are_documented_400s(hostile_client: FlaskClient, query: str) -> None:
    response = hostile_client.get("/api/search", query_string={"q": query})
    assert response.status_code == 400 and "too long" in response.get_json()["error"]
    page = hostile_client.get("/search", query_string={"q": query})
    assert page.status_code == 400 and "too long" in page.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%ED%B0%80x", "%FF%FE%FD", "%C0%AF", "%", "%zz", "a%00b"])
def test_undecodable_urls_are_read_with_replacement(hostile_client: FlaskClient, raw: str) -> None:
    """Lone surrogates and broken UTF-8 in the URL: read with U+FFFD, answered normally."""
    response = hostile_client.get(f"/api/search?q={raw}&section=")
    assert response.status_code == 200 and isinstance(response.get_json()["hits"], list)
    page = hostile_client.get(f"/search?q={raw}")
    assert page.status_code == 200
    assert_inert(page.get_data(as_text=True))
    assert hostile_client.get(f"/articles/{raw}").status_code == 404


def test_planted_article_renders_inert(hostile_client: FlaskClient) -> None:
    """Scripts, handlers and javascript: links in an article's HTML never reach a visitor's page."""
    for path in ("/articles/planted?q=heel+rest+script", "/search?q=plantaris+heel+script", "/articles/planted"):
        response = hostile_client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert_inert(page)
        assert "alert(&#39;text&#39;)" in page or "alert('text')" in page  # the text is shown, as text
    snippets = hostile_client.get("/api/search?q=plantaris+heel").get_json()["hits"][0]["sections"]
    assert all(not BeautifulSoup(s["snippet"], "lxml").find_all(["script", "img", "svg"]) for s in snippets)


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ("<mark>heel</mark> pain", "<mark>heel</mark> pain"),
        ('<mark onclick="x()" class="y">a</mark>', "<mark>a</mark>"),
        ("<script>alert(1)</script>b", "b"),
        ("<img src=x onerror=alert(1)>", ""),
        ('<a href="javascript:alert(1)">x</a>', "x"),
        ("<style>*{}</style><b>bold</b>", "bold"),
        ("&lt;script&gt;", "&lt;script&gt;"),
        ("<svg><script>alert(1)</script></svg>", ""),
        ("<!-- <script> -->ok", "ok"),
    ],
)
def test_sanitiser_keeps_only_bare_marks(html: str, clean: str) -> None:
    assert sanitise(html) == clean


@settings(max_examples=60, deadline=None)
@given(
    q=st.text(max_size=200),
    page=st.one_of(st.just(""), st.text(max_size=4), st.integers(-5, 120).map(str)),
    size=st.one_of(st.just(""), st.text(max_size=4), st.integers(-5, 60).map(str)),
    section=st.one_of(st.just(""), st.sampled_from(["treatment", "symptoms", "TYPES "]), st.text(max_size=12)),
    specialist=st.text(max_size=30),
    exact=st.sampled_from(["", "1", "0", "yes"]),
)
def test_arbitrary_api_parameters(
    hostile_client: FlaskClient, q: str, page: str, size: str, section: str, specialist: str, exact: str
) -> None:
    check_api(hostile_client, {"q": q, "page": page, "size": size, "section": section, "specialist": specialist,
                               "exact": exact})  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(q=st.text(max_size=200), page=st.text(max_size=4), section=st.text(max_size=12))
def test_arbitrary_page_parameters(hostile_client: FlaskClient, q: str, page: str, section: str) -> None:
    check_page(hostile_client, "/search", {"q": q, "page": page, "section": section})
    check_page(hostile_client, "/articles/planted", {"q": q, "section": section})


HTML_PIECES = st.sampled_from(
    [
        "<h1>", "</h1>", "<h2>", "</h2>", "<h3 id='a'>", "<p>", "</p>", "<ul>", "<li>", "</ul>", "<ol>", "<dl>",
        "<dt>", "<dd>", "<strong>", "</strong>", "<b>", "<table><tr><td>", "<article>", "</article>", "<main>",
        "<nav>", "<footer>", "<header>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>",
        "<title>", "</title>", "<meta charset='latin-1'>", "<br>", "<div class='also-called'>", "<time datetime=",
        "&amp;", "&#0;", "&#xD800;", "&nbsp;", "&", "<", ">", '"', "\x00", "\r\n", "•", "Treatment", "Symptoms",
        "Also called: ", "Reviewed: 2024-01-01", "<p class='reviewed'>", "<a href='javascript:x'>",
    ]
)  # fmt: skip
HTML = st.lists(st.one_of(HTML_PIECES, st.text(max_size=20)), max_size=40).map("".join)


@settings(max_examples=80, deadline=None)
@given(html=HTML)
def test_parser_takes_any_html(html: str) -> None:
    """Any markup is an Article (maybe with warnings) or one ParseError; never another exception."""
    try:
        article = parse_html(html, "any", "Fallback")
    except ParseError:
        return
    assert isinstance(article, Article) and article.title and article.sections


@settings(max_examples=60, deadline=None)
@given(data=st.one_of(st.binary(max_size=300), HTML.map(lambda s: s.encode("utf-8", "surrogatepass"))),
       suffix=st.sampled_from([".html", ".htm", ".txt", ".xml"]))  # fmt: skip
def test_any_file_bytes_are_an_article_or_a_parse_error(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                        suffix: str) -> None:  # fmt: skip
    root = tmp_path_factory.getbasetemp()
    try:
        article = read_article(SourceFile(root, root / f"page{suffix}"), data)
    except ParseError:
        return
    assert article.title and article.sections


def test_sanitiser_keeps_escaped_text_as_text() -> None:
    """Escaped article text goes through unchanged in meaning: entities stay entities."""
    from markupsafe import escape

    text = 'Boxcar scars & "ice pick" <scars> it\'s'
    assert str(sanitise(str(escape(text)))) == 'Boxcar scars &amp; "ice pick" &lt;scars&gt; it\'s'

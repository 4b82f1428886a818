"""HTML as real sites serve it: wrappers, furniture, headlines, names, review dates, extraction warnings."""

from __future__ import annotations

import pytest

from indexer.article import Article
from indexer.boilerplate import is_back_matter, is_noise_line
from indexer.parse import parse_html
from indexer.text import find_review_date

LEAD = "Gout is a painful kind of arthritis that affects the joints of the feet and hands."
CAUSES = "Gout happens when uric acid builds up in the blood and forms crystals in a joint."


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def texts(article: Article) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in article.sections)


def test_page_wrapped_in_a_form_keeps_its_article() -> None:
    """ASP.NET and CMS sites wrap the whole page in <form>: the article inside is still read."""
    html = page(
        '<form id="aspnetForm" method="post"><input type="hidden" name="__VIEWSTATE" value="x">'
        f"<div><h1>Gout</h1><p>{LEAD}</p><h2>Causes</h2><p>{CAUSES}</p></div></form>"
    )
    article = parse_html(html, "gout")
    assert [(s.kind, s.heading) for s in article.sections] == [("overview", "Overview"), ("causes", "Causes")]
    assert "__VIEWSTATE" not in texts(article)


def test_furniture_class_on_a_whole_page_wrapper_keeps_the_article() -> None:
    html = page(f'<div class="page has-sidebar"><h1>Gout</h1><p>{LEAD}</p><h2>Causes</h2><p>{CAUSES}</p></div>')
    assert [s.kind for s in parse_html(html, "gout").sections] == ["overview", "causes"]


def test_lead_in_the_articles_own_header_is_kept() -> None:
    html = page(
        "<header><a href='/'>Hospital</a> Menu</header><main><article><header><h1>Gout</h1>"
        f"<p class='lede'>{LEAD}</p></header><h2>Causes</h2><p>{CAUSES}</p></article></main>"
    )
    article = parse_html(html, "gout")
    assert LEAD in article.sections[0].text
    assert "Hospital" not in texts(article)


def test_main_content_beats_teaser_articles() -> None:
    """Teaser cards are <article>s too; the one holding the page's text wins."""
    teasers = "".join(f"<article><h3>Read now: Story {i}</h3><p>Short teaser {i}.</p></article>" for i in range(5))
    html = page(
        f"<div>{teasers}</div><div itemprop='articleBody'><h1>Gout</h1><p>{LEAD}</p>"
        f"<h2>Causes</h2><p>{CAUSES}</p></div>"
    )
    article = parse_html(html, "gout")
    assert [s.heading for s in article.sections] == ["Overview", "Causes"]


def test_headline_is_the_h1_the_page_title_agrees_with() -> None:
    """A topic centre's <h1> names the centre; the page <title> names the article."""
    html = page(
        f"<h1>Arthritis Center</h1><main><h1>Gout</h1><p>{LEAD}</p><h2>Causes</h2><p>{CAUSES}</p></main>",
        head="<title>Gout | Arthritis Center | City Hospital</title>",
    )
    assert parse_html(html, "gout").title == "Gout"


@pytest.mark.parametrize(
    "furniture",
    [
        "Medically Reviewed by Jane Roe, MD on July 19, 2022",
        "By Jane Roe, MD",
        "WebMD Medical Reference. Reviewed by Jane Roe, MD on July 19, 2022",
        "Page last reviewed: 12 February 2016 Next review due: 1 February 2019",
        "Request an appointment",
        "Show Sources",
        "Continued",
        "Page 2 of 3",
        "Read now",
        "On this page",
        "Sign up for our free weekly newsletter",
        "To receive email updates about this page, enter your email address",
        "Learn how to cite this page",
        "Call the OWH Helpline: 1-800-994-9662 9 a.m. — 6 p.m. ET",
    ],
)
def test_furniture_lines_never_reach_a_section(furniture: str) -> None:
    html = page(f"<h1>Gout</h1><p>{furniture}</p><p>{LEAD}</p><h2>Causes</h2><p>{CAUSES}</p><p>{furniture}</p>")
    article = parse_html(html, "gout")
    assert furniture not in texts(article)
    assert LEAD in texts(article) and CAUSES in texts(article)
    assert is_noise_line(furniture)


@pytest.mark.parametrize(
    ("heading", "back"),
    [
        ("Sources", True),
        ("References", True),
        ("Did we answer your question about gout?", True),
        ("More information on gout", True),
        ("See also", True),
        ("External links", True),
        ("Causes", False),
        ("What are the sources of uric acid in food?", False),
    ],
)
def test_back_matter_headings(heading: str, back: bool) -> None:
    assert is_back_matter(heading) is back


def test_back_matter_is_left_out_with_its_subsections() -> None:
    html = page(
        f"<h1>Gout</h1><h2>Causes</h2><p>{CAUSES}</p><h2>External links</h2><h3>Agencies</h3>"
        "<p>Arthritis Foundation site.</p><h2>Outlook</h2><p>Most people do well with treatment.</p>"
    )
    article = parse_html(html, "gout")
    assert [s.heading for s in article.sections] == ["Causes", "Outlook"]
    assert "Arthritis Foundation" not in texts(article)


def test_resource_link_lists_are_dropped_content_lists_kept() -> None:
    resources = "".join(f"<li><a href='/r{i}'>Gout resource {i}</a> (Agency {i})</li>" for i in range(4))
    content = (
        "<li><a href='/nsaids'>NSAIDs</a>. These ease pain and swelling within a day or two.</li>"
        "<li><a href='/colchicine'>Colchicine</a>. It lowers the swelling when taken early.</li>"
    )
    html = page(f"<h1>Gout</h1><h2>Treatment</h2><ul>{content}</ul><h2>Start here</h2><ul>{resources}</ul>")
    article = parse_html(html, "gout")
    assert [s.heading for s in article.sections] == ["Treatment"]
    assert "NSAIDs" in article.sections[0].text


def test_run_in_bold_lead_is_no_heading() -> None:
    html = page(f"<h1>Gout</h1><h2>Treatment</h2><p><strong>Medicine.</strong> {CAUSES}</p>")
    assert [s.heading for s in parse_html(html, "gout").sections] == ["Treatment"]


def test_question_subheadings_start_sections() -> None:
    html = page(
        f"<h1>Gout</h1><h2>Summary</h2><h3>What is gout?</h3><p>{LEAD}</p>"
        f"<h3>Who gets gout?</h3><p>Men over 40 get it most often.</p>"
    )
    sections = parse_html(html, "gout").sections
    assert [(s.kind, s.heading) for s in sections] == [
        ("overview", "What is gout?"),
        ("risk_factors", "Who gets gout?"),
    ]


@pytest.mark.parametrize(
    ("html", "reviewed"),
    [
        ('<p>Page last reviewed: <span itemprop="lastReviewed">March 4, 2015</span></p>', "2015-03-04"),
        ("<p>Page last reviewed: March 4, 2015</p><p>Page last updated: October 26, 2016</p>", "2015-03-04"),
        ("<p>Medically reviewed by Jane Roe, M.D. on July 19, 2022</p>", "2022-07-19"),
        ('<div class="last-updated">Page last updated: April 1, 2019</div>', "2019-04-01"),
        ('<meta name="dcterms.reviewed" content="2018-02-03">', "2018-02-03"),
        ('<meta property="article:modified_time" content="2017-05-06T10:00:00Z">', "2017-05-06"),
        (
            '<meta property="article:modified_time" content="2017-05-06">'
            '<meta name="last-reviewed" content="2016-01-02">',
            "2016-01-02",
        ),  # a review date before an update date
        ('<meta name="last-reviewed" content="soon"><meta name="reviewed" content="2015-07-08">', "2015-07-08"),
    ],
)
def test_review_dates(html: str, reviewed: str) -> None:
    article = parse_html(page(f"<main><h1>Gout</h1><p>{LEAD}</p></main><footer>{html}</footer>"), "gout")
    assert article.reviewed == reviewed


def test_updated_date_only_when_no_review_date() -> None:
    assert find_review_date("Updated: 2020-01-02. Reviewed: 2019-05-06.") == "2019-05-06"


@pytest.mark.parametrize(
    ("title", "lead", "aliases"),
    [
        ("Bacterial vaginosis", "Bacterial vaginosis (BV) is a condition caused by bacteria.", ("BV",)),
        (
            "Urinary tract infections",
            "Urinary tract infections (UTIs) are caused by germs. UTIs are also called bladder infections.",
            ("UTIs", "bladder infections"),
        ),
        (
            "Hashimoto's disease",
            "Hashimoto's disease, or Hashimoto's thyroiditis, is common.",
            ("Hashimoto's thyroiditis",),
        ),
        ("Endometriosis", 'Endometriosis, sometimes called "endo," is a common health problem.', ("endo",)),
        ("Uterine fibroids", 'Another medical term for fibroids is leiomyoma or just "myoma".', ("leiomyoma", "myoma")),
        ("Migraine", 'Migraine with aura (previously called classical migraine) starts with a so-called "aura".', ()),
    ],
)
def test_aliases_from_the_lead(title: str, lead: str, aliases: tuple[str, ...]) -> None:
    article = parse_html(page(f"<h1>{title}</h1><p>{lead}</p><h2>Causes</h2><p>{CAUSES}</p>"), "x")
    assert article.aliases == aliases


def test_little_text_from_a_big_page_is_warned() -> None:
    menu = "".join(f"<p>Department number {i} of the hospital and its many services.</p>" for i in range(200))
    html = page(f"<div>{menu}</div><main><h1>Gout</h1><p>Gout hurts.</p></main>")
    warnings = parse_html(html, "gout").warnings
    assert any(w.startswith("only ") and "content may be missed" in w for w in warnings)


def test_headings_lost_from_the_article_are_warned() -> None:
    side = "".join(f"<h2>Heading {i}</h2><p>Text {i} that sits outside the article.</p>" for i in range(4))
    html = page(f"<article><h1>Gout</h1><p>{LEAD}</p></article><div>{side}</div>")
    warnings = parse_html(html, "gout").warnings
    assert any("headings but none are in the article text" in w for w in warnings)


def test_small_hidden_text_goes_a_collapsed_panel_stays() -> None:
    panel = "Rest, ice and medicines that lower uric acid help most people within days. " * 4
    html = page(
        f"<h1>Gout</h1><p>{LEAD}<span style='display: none'>(gowt)</span></p>"
        f"<h2>Treatment</h2><div class='accordion-panel' hidden><p>{panel}</p></div>"
    )
    article = parse_html(html, "gout")
    assert "gowt" not in texts(article)
    assert "uric acid help most people" in article.sections[-1].text


def test_aria_headings_start_sections() -> None:
    html = page(f"<h1>Gout</h1><p>{LEAD}</p><div role='heading' aria-level='2'>Causes</div><p>{CAUSES}</p>")
    assert [(s.kind, s.heading) for s in parse_html(html, "gout").sections] == [
        ("overview", "Overview"),
        ("causes", "Causes"),
    ]


def test_an_articles_own_footer_is_furniture() -> None:
    html = page(f"<article><h1>Gout</h1><p>{LEAD}</p><footer><p>Tags: joints, arthritis</p></footer></article>")
    assert "Tags" not in texts(parse_html(html, "gout"))

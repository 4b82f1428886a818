"""HTML -> Article: hand-written authored and scraped pages, and files that are not articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.article import Article, ParseError
from indexer.parse import parse_html
from indexer.sources.files import SourceFile, read_article
from tests.conftest import FIXTURES

HTML = FIXTURES / "html"
NO_HEADINGS = "no section headings found: the whole text is one overview section"


def read(path: Path, root: Path = HTML) -> Article:
    return read_article(SourceFile(root, path))


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def all_text(article: Article) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in article.sections)


# file -> title, (kind, heading) in order, aliases, reviewed date
EXPECTED = {
    "authored.html": (
        "Plantar Fasciitis",
        [
            ("overview", "Overview"),
            ("symptoms", "Symptoms"),
            ("causes", "What causes plantar fasciitis?"),
            ("diagnosis", "How is it diagnosed?"),
            ("treatment", "Treatment"),
            ("other", "History of the disease"),
            ("when_to_see_doctor", "When to see a doctor"),
        ],
        ("heel spur syndrome", "policeman's heel"),
        "2025-03-14",
    ),
    "scraped_h3.html": (
        "Vertigo",
        [
            ("overview", "Overview"),
            ("symptoms", "Signs and symptoms"),
            ("causes", "Causes"),
            ("diagnosis", "Tests and diagnosis"),
            ("treatment", "Treatment options"),
        ],
        (),
        "",
    ),
    "scraped_bold.html": (
        "Shingles",
        [
            ("overview", "Overview"),
            ("symptoms", "Symptoms"),
            ("causes", "Causes"),
            ("treatment", "Treatment"),
            ("prevention", "Prevention"),
        ],
        ("herpes zoster", "zona"),
        "2024-03-03",
    ),
    "scraped_dl.html": (
        "Tennis Elbow",
        [
            ("overview", "What is it?"),
            ("symptoms", "Symptoms"),
            ("treatment", "Treatment"),
            ("specialist", "Specialist to approach"),
        ],
        (),
        "",
    ),
    "nested.html": (
        "Bunions",
        [
            ("overview", "Overview"),
            ("types", "Types of bunions"),
            ("treatment", "Treatment"),
            ("living_with", "Home care"),
            ("treatment", "Surgery"),
        ],
        (),
        "2024-11-02",
    ),
}

# Page furniture each fixture carries; none of it may reach a section.
NOISE = {
    "authored.html": ["Example Health Library", "Also called", "Last reviewed", "14 March 2025"],
    "scraped_h3.html": [
        "Riverside Clinic",
        "Book an appointment",
        "Find a doctor",
        "cookies",
        "Health Library",
        "Home",
        "STYLE-NOISE",
        "SCRIPT-NOISE",
        "trackPageView",
        "Share this page",
        "Disclaimer",
        "educational purposes",
        "Popular topics",
        "Tinnitus",
        "Related articles",
        "Copyright",
    ],
    "scraped_bold.html": ["A-Z", "Other names", "Updated", "Subscribe", "newsletter", "Hillside", "Privacy"],
    "scraped_dl.html": ["Lakeside", "Contact us", "sports massage", "20% off"],
    "nested.html": [
        "Skip to content",
        "Back to top",
        "Was this page helpful",
        "Sponsored",
        "orthotic sandals",
        "Northside",
        "Privacy",
    ],
}


@pytest.mark.parametrize(("name", "title", "sections", "aliases", "reviewed"), [(k, *v) for k, v in EXPECTED.items()])
def test_fixture_article(
    name: str, title: str, sections: list[tuple[str, str]], aliases: tuple[str, ...], reviewed: str
) -> None:
    """Each page shape yields its title, its sections in order with their own headings, aliases and date."""
    article = read(HTML / name)
    assert article.title == title
    assert [(s.kind, s.heading) for s in article.sections] == sections
    assert article.aliases == aliases
    assert article.reviewed == reviewed
    assert article.warnings == ()
    assert (article.id, article.path, article.source) == (name.removesuffix(".html"), name, "html")


@pytest.mark.parametrize(("name", "noise"), [(name, noise) for name, words in NOISE.items() for noise in words])
def test_fixture_has_no_noise(name: str, noise: str) -> None:
    """Navigation, banners, sidebars, footers, scripts and disclaimers never become article text."""
    assert noise not in all_text(read(HTML / name))


@pytest.mark.parametrize(("name", "noise"), [(name, noise) for name, words in NOISE.items() for noise in words])
def test_fixture_noise_is_really_there(name: str, noise: str) -> None:
    """Guards the test above: each noise string is on the raw page, so its absence means something."""
    assert noise in (HTML / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_anchors_unique(name: str) -> None:
    """Every section can be linked to on its own."""
    anchors = [s.anchor for s in read(HTML / name).sections]
    assert all(anchors)
    assert len(set(anchors)) == len(anchors)


@pytest.mark.parametrize(
    ("name", "anchors"),
    [
        # authored ids are kept; a heading without one gets a slug
        (
            "authored.html",
            ["overview", "symptoms", "causes", "diagnosis", "treatment", "history", "when-to-see-a-doctor"],
        ),
        # a page that reuses an id gets a numbered second anchor
        ("nested.html", ["overview", "types-of-bunions", "care", "care-2", "surgery"]),
    ],
)
def test_fixture_anchors(name: str, anchors: list[str]) -> None:
    assert [s.anchor for s in read(HTML / name).sections] == anchors


@pytest.mark.parametrize(
    ("name", "heading", "expected"),
    [
        ("authored.html", "Treatment", ("Calf stretches", "Night splints", "Shoe inserts")),
        (
            "scraped_h3.html",
            "Causes",
            ("Benign paroxysmal positional vertigo", "Vestibular neuritis", "Meniere's disease"),
        ),
        ("nested.html", "Types of bunions", ("Tailor's bunion", "Adolescent bunion")),
        (
            "scraped_dl.html",
            "Treatment",
            ("Rest from the activity that caused it", "Physiotherapy exercises", "Steroid injections"),
        ),
    ],
)
def test_list_items(name: str, heading: str, expected: tuple[str, ...]) -> None:
    """List items are kept in order, a bold lead-in as the item's name."""
    [section] = [s for s in read(HTML / name).sections if s.heading == heading]
    assert section.items == expected
    assert all(f"• {item}" in section.text for item in expected)


@pytest.mark.parametrize(
    ("name", "heading", "contained"),
    [
        # a deeper heading no pattern knows stays inside its parent section
        ("nested.html", "Treatment", "A note on footwear\n\nShoes with a roomy toe box"),
        # a bold lead-in that is no known heading is text, as is bold inside a sentence
        ("scraped_bold.html", "Treatment", "Good to know: the rash is not contagious"),
        ("scraped_bold.html", "Treatment", "People often say rest helps, and it does."),
        # a <b> lead-in inside a div is a heading and the rest of the div its text
        ("scraped_bold.html", "Causes", "The chickenpox virus stays dormant"),
        # text in nested divs inside a <section> is found
        ("nested.html", "Surgery", "A bunionectomy realigns the bone"),
        ("scraped_h3.html", "Tests and diagnosis", "An audiologist may test hearing"),
        ("authored.html", "History of the disease", "painful heels in foot soldiers"),
    ],
)
def test_section_text(name: str, heading: str, contained: str) -> None:
    [section] = [s for s in read(HTML / name).sections if s.heading == heading]
    assert contained in section.text


def test_authored_canonical_url() -> None:
    assert read(HTML / "authored.html").url == "https://health.example.org/plantar-fasciitis"


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("scraped_dl.html", "specialists", ("physiotherapist", "orthopedic surgeon")),
        ("scraped_bold.html", "treatments", ("acyclovir", "valacyclovir", "famciclovir")),
        ("nested.html", "types", ("tailor's bunion", "adolescent bunion")),
    ],
)
def test_fixture_entities(name: str, field: str, expected: tuple[str, ...]) -> None:
    assert getattr(read(HTML / name).entities, field) == expected


# --- files that are not (quite) articles -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.html", b"", "empty file"),
        ("blank.html", b"  \n\n  ", "empty file"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary file"),
        ("huge.html", b"<html><body><h1>Huge</h1><p>" + b"word " * (1024 * 1024) + b"</p></body></html>", "too large"),
        (
            "feed.xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title></channel></rss>',
            "MedQuAD",
        ),
        (
            "nothing.html",
            b"<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>",
            "no article text",
        ),
    ],
)
def test_bad_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    """A file that holds no article raises ParseError saying why, for the build report."""
    with pytest.raises(ParseError, match=message):
        read(write(tmp_path, name, data), tmp_path)


def test_no_title_falls_back_to_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "pink-eye_notes.html", b"<html><body><h2>Symptoms</h2><p>Itchy red eyes.</p></body></html>")
    article = read(path, tmp_path)
    assert article.title == "Pink eye notes"
    assert article.warnings == ("no <h1> or <title>: using the file name as the title",)
    assert [(s.kind, s.text) for s in article.sections] == [("symptoms", "Itchy red eyes.")]


def test_cp1252_page(tmp_path: Path) -> None:
    """Legacy bytes without a charset are read as Windows-1252, and the warning is kept."""
    html = (
        "<html><head><title>Café au lait spots</title></head><body><h1>Café au lait spots</h1>"
        "<h2>Causes</h2><p>Flat “coffee” patches – usually harmless.</p></body></html>"
    )
    article = read(write(tmp_path, "cafe.html", html.encode("cp1252")), tmp_path)
    assert article.title == "Café au lait spots"
    assert article.sections[0].text == "Flat “coffee” patches – usually harmless."
    assert article.warnings == ("not valid UTF-8 and no charset declared: read as Windows-1252",)


def test_unclosed_tags_keep_text(tmp_path: Path) -> None:
    """Unclosed <p>, <li>, <div> and <b> still parse, and no text is lost."""
    html = (
        b"<html><body><h1>Gout</h1><h2>Symptoms</h2><p>Sudden joint pain at night<p>Red swollen big toe"
        b"<h2>Treatment</h2><ul><li>Colchicine<li>Ice packs</ul><div>Trailing <b>unclosed text"
    )
    article = read(write(tmp_path, "gout.html", html), tmp_path)
    assert article.title == "Gout"
    assert [s.heading for s in article.sections] == ["Symptoms", "Treatment"]
    assert article.sections[0].text == "Sudden joint pain at night\n\nRed swollen big toe"
    assert article.sections[1].items == ("Colchicine", "Ice packs")
    for words in ("Colchicine", "Ice packs", "Trailing", "unclosed text"):
        assert words in article.sections[1].text


@pytest.mark.parametrize(
    ("heading", "text"),
    [
        ("History of the disease", "First described in 1850."),
        ("Famous patients", "Several kings had it."),
    ],
)
def test_unknown_heading_is_other(heading: str, text: str) -> None:
    """Headings no pattern knows keep their words and their text."""
    article = parse_html(f"<h1>Gout</h1><h2>Causes</h2><p>Uric acid.</p><h2>{heading}</h2><p>{text}</p>", "gout")
    assert [(s.kind, s.heading, s.text) for s in article.sections] == [
        ("causes", "Causes", "Uric acid."),
        ("other", heading, text),
    ]


def test_page_without_headings_is_one_overview() -> None:
    article = parse_html("<h1>Gout</h1><p>Gout is a kind of arthritis.</p>", "gout")
    assert [(s.kind, s.heading, s.text) for s in article.sections] == [
        ("overview", "Overview", "Gout is a kind of arthritis.")
    ]
    assert article.warnings == (NO_HEADINGS,)


def test_page_title_without_site_name() -> None:
    """With no <h1>, <title> gives the title without the site's name."""
    article = parse_html(
        "<html><head><title>Gout | City Hospital</title></head><body><h2>Causes</h2><p>Uric acid.</p></body></html>",
        "gout",
    )
    assert article.title == "Gout"


def test_single_authored_overview_heading_is_not_warned() -> None:
    article = parse_html("<h1>Gout</h1><h2>Overview</h2><p>Gout is a kind of arthritis.</p>", "gout")
    assert article.warnings == ()


def test_inline_markup_in_div_keeps_sentence() -> None:
    article = parse_html("<h1>Gout</h1><h2>Treatment</h2><div>Take <b>ibuprofen</b> with food.</div>", "gout")
    assert article.sections[0].text == "Take ibuprofen with food."


def test_unclosed_heading_keeps_text(tmp_path: Path) -> None:
    html = b"<html><body><h1>Gout<h2>Symptoms<p>Sudden joint pain<h2>Treatment<ul><li>Colchicine<li>Ice packs</ul>"
    article = read(write(tmp_path, "gout.html", html), tmp_path)
    assert article.title == "Gout"
    assert "Colchicine" in all_text(article)

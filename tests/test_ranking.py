"""Ranking choices that need articles written for them."""

from __future__ import annotations

import pytest
from whoosh.searching import Searcher

from engine.query import parse_query
from engine.results import search_page
from engine.search import best_sections, build_query, score_articles, search
from engine.understand import understood

THIN = """<html><head><title>Shingles</title></head><body><h1>Shingles</h1>
<p>Shingles is a painful rash caused by the chickenpox virus waking up again.</p></body></html>"""

FULL = """<html><head><title>Shingles</title></head><body><h1>Shingles</h1>
<h2>Overview</h2><p>Shingles is a painful, blistering rash from the chickenpox virus, which stays in
nerve cells for life and can wake up years later, often in people over fifty.</p>
<h2>Symptoms</h2><p>Burning pain, tingling, then a band of blisters on one side of the body.</p>
<h2>Causes</h2><p>The varicella-zoster virus reactivates when immunity weakens.</p>
<h2>Treatment</h2><p>Antiviral medicines started early shorten the rash; pain relief helps.</p>
<h2>Prevention</h2><p>A vaccine is recommended for adults over fifty.</p></body></html>"""


@pytest.fixture
def searcher(searcher_of) -> Searcher:
    return searcher_of({"a-thin.html": THIN, "b-full.html": FULL})


def test_the_fuller_of_two_same_named_articles_leads(searcher) -> None:
    hits = search(searcher, parse_query("can shingles come back"))
    assert [hit.id for hit in hits[:2]] == ["b-full", "a-thin"]


ASIDE_TITLE = """<html><head><title>Klippel-Trenaunay Syndrome (KTS)</title></head><body>
<h1>Klippel-Trenaunay Syndrome (KTS)</h1>
<h2>Overview</h2><p>A rare disorder present at birth with port-wine stains and overgrown limbs.</p>
<h2>Treatment</h2><p>Compression garments and laser therapy ease the symptoms.</p></body></html>"""

NEAR_NAMESAKE = """<html><head><title>Klippel-Feil syndrome</title></head><body>
<h1>Klippel-Feil syndrome</h1>
<h2>Overview</h2><p>Klippel-Feil syndrome is a bone disorder in which neck vertebrae are fused.
A Klippel-Feil syndrome diagnosis is often made in childhood; the syndrome varies.</p>
<h2>Symptoms</h2><p>A short neck and limited movement of the head and neck.</p>
<h2>Causes</h2><p>Changes in the GDF6, GDF3 or MEOX1 genes.</p>
<h2>Treatment</h2><p>Surgery, physical therapy and braces treat the syndrome in children.</p></body></html>"""


@pytest.fixture
def aside_searcher(searcher_of) -> Searcher:
    return searcher_of({"kts.html": ASIDE_TITLE, "kfs.html": NEAR_NAMESAKE})


@pytest.mark.parametrize(
    "query",
    ["klippel trenaunay syndrome", "treatment for children with klippel-trenaunay-syndrome", "kts"],
)
def test_a_title_is_found_by_the_name_without_its_aside_and_by_the_aside(aside_searcher, query: str) -> None:
    hits = search(aside_searcher, parse_query(query))
    assert hits[0].id == "kts"


def _article(title: str, sections: dict[str, str], aliases: str = "") -> str:
    other_names = f"<p>Other names: {aliases}</p>" if aliases else ""
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections.items())
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{other_names}{body}</body></html>"


@pytest.fixture
def names_searcher(searcher_of) -> Searcher:
    articles = {
        "pain.html": _article(
            "Pain",
            {
                "Overview": "Pain is a signal in your nervous system that something may be wrong.",
                "Treatment": "Pain relievers, physical therapy and rest help.",
            },
        ),
        "back-pain.html": _article(
            "Back Pain",
            {"Overview": "Back pain is one of the most common medical problems, often in the lower back."},
        ),
        "opmd-lean.html": _article(
            "Oculopharyngeal muscular dystrophy",
            {"Overview": "A muscle disease that begins in adulthood."},
            aliases="oculopharyngeal dystrophy; muscular dystrophy",
        ),
        "opmd-full.html": _article(
            "Oculopharyngeal muscular dystrophy",
            {
                "Overview": "A muscle disease that begins in adulthood, with droopy eyelids.",
                "Symptoms": "Droopy eyelids and trouble swallowing.",
                "Causes": "Changes in the PABPN1 gene.",
                "Treatment": "Surgery can lift the eyelids.",
                "Inheritance": "Usually autosomal dominant.",
            },
        ),
    }
    return searcher_of(articles)


@pytest.mark.parametrize("query", ["what helps pain in my lower back", "back and neck pain"])
def test_a_name_is_found_in_a_question_with_words_between_or_reordered(names_searcher, query: str) -> None:
    assert search(names_searcher, parse_query(query))[0].id == "back-pain"


def test_an_exact_title_does_not_also_earn_its_sub_names(names_searcher) -> None:
    """Two articles of one name: an extra alias inside the name is no reason to lead."""
    hits = search(names_searcher, parse_query("oculopharyngeal muscular dystrophy"))
    assert [hit.id for hit in hits[:2]] == ["opmd-full", "opmd-lean"]


@pytest.mark.parametrize("query", ["klippel-trenaunay", "klippel-trenauny syndrome treatment"])
def test_every_part_of_a_hyphenated_name_counts_and_is_spelled(aside_searcher, query: str) -> None:
    """Only "klippel" counted before: the article that repeats it most led."""
    assert search(aside_searcher, parse_query(query))[0].id == "kts"


def test_did_you_mean_corrects_inside_a_hyphenated_word(aside_searcher) -> None:
    page = search_page(aside_searcher, parse_query("klippel-trenauny syndrome"))
    assert page.did_you_mean == "klippel-trenaunay syndrome"
    assert page.hits[0].id == "kts"


CANAVAN_SHORT = """<html><head><title>Canavan disease</title></head><body><h1>Canavan disease</h1>
<h2>Overview</h2><p>Canavan disease is a rare brain disorder that damages the nerve cells' coating.</p>
<h2>Treatment</h2><p>Care aims at comfort, nutrition and preventing infections.</p></body></html>"""

CANAVAN_GENETIC = """<html><head><title>Canavan disease</title></head><body><h1>Canavan disease</h1>
<p class="also-called">Also called: aspartoacylase deficiency, ASP deficiency, ACY2 deficiency,
spongy degeneration of the brain, Canavan-van Bogaert-Bertrand disease</p>
<h2>Overview</h2><p>Canavan disease is a rare inherited disorder that damages nerve cells in the brain,
so babies with Canavan disease lose skills they had learned. Many other names describe it:
aspartoacylase deficiency, spongy degeneration of the brain.</p>
<h2>Inheritance</h2><p>It passes from parents who both carry a changed ASPA gene.</p></body></html>"""

INHERITED_ELSEWHERE = """<html><head><title>Retinal dystrophy</title></head><body><h1>Retinal dystrophy</h1>
<h2>Overview</h2><p>Damage to the light-sensing cells of the eye; one family of causes is a disorder
of the brain's white matter such as Canavan disease.</p>
<h2>Inheritance</h2><p>Most retinal dystrophies are passed down in families.</p></body></html>"""


@pytest.fixture
def intent_searcher(searcher_of) -> Searcher:
    return searcher_of(
        {"canavan-a.html": CANAVAN_SHORT, "canavan-b.html": CANAVAN_GENETIC, "retina.html": INHERITED_ELSEWHERE}
    )


def test_of_same_named_articles_the_one_with_the_asked_section_leads(intent_searcher) -> None:
    hits = search(intent_searcher, parse_query("canavan disease inherited"))
    assert hits[0].id == "canavan-b"
    assert hits[0].sections[0].kind == "inheritance"


def test_the_asked_section_never_lifts_a_weaker_match_over_the_named_condition(intent_searcher) -> None:
    ids = [hit.id for hit in search(intent_searcher, parse_query("canavan inherited"))]
    assert ids == ["canavan-b", "canavan-a", "retina"]


def test_best_sections_never_repeat_a_heading() -> None:
    article = {
        "sections": [
            {"kind": "overview", "heading": "What is (are) Diabetes?", "anchor": "sec-1", "text": "diabetes is"},
            {"kind": "overview", "heading": "What is (are) Diabetes?", "anchor": "sec-2", "text": "diabetes means"},
            {"kind": "symptoms", "heading": "What are the symptoms of Diabetes?", "anchor": "sec-3", "text": "thirst"},
        ]
    }
    refs = best_sections(article, parse_query("diabetes"))
    assert [ref.anchor for ref in refs] == ["sec-1", "sec-3"]


def test_disorders_diseases_and_problems_name_one_thing(searcher_of) -> None:
    searcher = searcher_of(
        {
            "eye.html": "<h1>Eye Diseases</h1><h2>Overview</h2><p>Conditions that affect sight and the eyes.</p>",
            "dry.html": "<h1>Dry Eye</h1><h2>Overview</h2><p>Eye disorders and eye problems: dry eye is among the "
            "commonest, and eye disorders like it cause eye problems in many older adults.</p>",
        }
    )
    for query in ("eye disorders", "eye problems"):
        assert search(searcher, parse_query(query))[0].id == "eye", query


HEREDITARY_ANGIOEDEMA = """<html><head><title>Hereditary angioedema</title></head><body>
<h1>Hereditary angioedema</h1>
<h2>Overview</h2><p>Hereditary angioedema causes repeated episodes of severe swelling.</p>
<h2>Inheritance</h2><p>It is passed down in an autosomal dominant pattern.</p>
<h2>Treatment</h2><p>C1 inhibitor concentrates treat and prevent attacks.</p></body></html>"""

GENETIC_TESTING = """<html><head><title>Genetic Testing</title></head><body><h1>Genetic Testing</h1>
<h2>Overview</h2><p>Genetic tests look for changes in genes, for example in Huntington disease.</p></body></html>"""

HUNTINGTON = """<html><head><title>Huntington disease</title></head><body><h1>Huntington disease</h1>
<h2>Overview</h2><p>Huntington disease slowly breaks down nerve cells in the brain.</p>
<h2>Diagnosis</h2><p>A blood test for the HTT gene confirms it.</p>
<h2>Inheritance</h2><p>Each child of a parent with it has a one in two chance of inheriting it.</p></body></html>"""


@pytest.fixture
def named_intent_searcher(searcher_of) -> Searcher:
    return searcher_of({"hae.html": HEREDITARY_ANGIOEDEMA, "testing.html": GENETIC_TESTING, "hd.html": HUNTINGTON})


@pytest.mark.parametrize(
    ("query", "kind"),
    [("hereditary angioedema treatment", "treatment"), ("hereditary angioedema", "overview")],
)
def test_an_intent_word_inside_the_name_asks_for_nothing(named_intent_searcher, query: str, kind: str) -> None:
    hits = search(named_intent_searcher, parse_query(query))
    assert hits[0].id == "hae" and hits[0].sections[0].kind == kind


def test_a_name_of_intent_words_alone_still_asks(named_intent_searcher) -> None:
    hits = search(named_intent_searcher, parse_query("huntington disease genetic testing"))
    assert hits[0].id == "hd" and hits[0].sections[0].kind in {"inheritance", "diagnosis"}


COMPOUND_PAGES = {
    "bedwetting.html": "<h1>Bedwetting</h1><h2>Overview</h2><p>Bedwetting is common in young children.</p>",
    "sores.html": "<h1>Pressure Sores</h1><p class='also-called'>Also called: bed sores</p><h2>Overview</h2>"
    "<p>Sores from lying in bed; wetting and moisture make them worse.</p>",
    "hbe.html": "<h1>Hemoglobin E disease</h1><h2>Overview</h2><p>An inherited blood disorder.</p>",
    "hbe-fr.html": "<h1>Hemoglobine disorders</h1><h2>Overview</h2><p>Troubles of hemoglobine.</p>",
    "enuresis.html": "<h1>Enuresis</h1><h2>Overview</h2><p>Night-time bed wetting after the age of five.</p>",
}


@pytest.mark.parametrize(("query", "first"), [("bed wetting", "bedwetting"), ("hemoglobin e disease", "hbe")])
def test_two_words_a_name_writes_as_one_are_that_name(searcher_of, query: str, first: str) -> None:
    assert search(searcher_of(COMPOUND_PAGES), parse_query(query))[0].id == first


def test_all_the_words_rank_above_some_and_a_missing_word_empties_nothing(searcher_of) -> None:
    pages = {
        "all.html": _article("Dry skin", {"Overview": "Dry, itchy skin in winter; moisturiser helps the itch."}),
        "some.html": _article("Winter health", {"Overview": "Staying well in winter: colds, flu and dry air."}),
    }
    searcher = searcher_of(pages)
    assert [hit.id for hit in search(searcher, parse_query("itchy dry skin winter"))] == ["all", "some"]
    assert [hit.id for hit in search(searcher, parse_query("itchy dry skin winter zzyzx"))] == ["all", "some"]


def test_an_intent_word_in_a_lesser_name_still_asks(searcher_of) -> None:
    pages = {
        "penile.html": _article(
            "Penile cancer",
            {"Overview": "A rare cancer of the skin and tissues of the penis.", "Diagnosis": "A biopsy confirms it."},
        ),
        "tests.html": _article("Cancer tests", {"Overview": "Blood, imaging and biopsy tests that look for cancer."}),
    }
    hits = search(searcher_of(pages), parse_query("penile cancer test"))
    assert hits[0].id == "penile" and hits[0].sections[0].kind == "diagnosis"  # "cancer test" is not the condition


def test_the_two_words_of_a_compound_still_find_the_articles_that_write_them_apart(searcher_of) -> None:
    hits = search(searcher_of(COMPOUND_PAGES), parse_query("bed wetting"))
    assert [hit.id for hit in hits][:2] == ["bedwetting", "enuresis"]


def page(title: str, *sections: tuple[str, str]) -> str:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


DESCRIBED = {
    "mps1.html": page(
        "Mucopolysaccharidosis type I",
        ("Overview", "A rare inherited disorder in which the body cannot break down long sugar chains."),
    ),
    "late.html": page(
        "Late-onset retinal degeneration",
        ("Overview", "A late onset disorder of the retina that slowly takes away sight."),
    ),
    "angina.html": page(
        "Angina",
        ("Symptoms", "Chest pain or tightness that comes on when you walk uphill and goes away when you rest."),
    ),
}


@pytest.mark.parametrize(
    "query",
    ["chest gets tight when i walk uphill and goes away when i stop", "i get tight in the chest walking uphill"],
)
def test_a_description_is_not_read_as_the_names_its_words_appear_in(searcher_of, query: str) -> None:
    """ "i" is not the "I" of "type I", "late" not the name Late-onset retinal degeneration (lexical side alone)."""
    assert lexical_titles(searcher_of(DESCRIBED), query)[0] == "Angina"


def test_a_name_inside_a_long_question_still_counts_as_a_name(searcher_of) -> None:
    titles = lexical_titles(searcher_of(DESCRIBED), "is mucopolysaccharidosis type i something my child could get")
    assert titles[0] == "Mucopolysaccharidosis type I"


def lexical_titles(searcher: Searcher, query: str) -> list[str]:
    """Titles in the order of the lexical ranking alone, before any fusion with meaning."""
    parsed = understood(searcher, parse_query(query))
    scored = score_articles(searcher, build_query(searcher, parsed), parsed)
    return [searcher.stored_fields(int(docnum))["title"] for docnum in scored.top(3)]


@pytest.fixture
def function_word_searcher(searcher_of) -> Searcher:
    articles = {
        "all.html": _article(
            "Acute Lymphocytic Leukemia",
            {"Overview": "A cancer of the white blood cells that grows quickly."},
            aliases="ALL",
        ),
        "his.html": _article(
            "His bundle tachycardia", {"Overview": "A fast heart rhythm that starts in the His bundle."}
        ),
        "down.html": _article("Down syndrome", {"Overview": "A genetic condition from an extra chromosome 21."}),
        "depression.html": _article(
            "Depression",
            {"Symptoms": "Feeling sad or down all the time, losing interest in things you enjoyed, sleeping badly."},
        ),
        "allergy.html": _article(
            "Food Allergy", {"Symptoms": "After eating peanuts the throat can swell and breathing gets hard."}
        ),
    }
    return searcher_of(articles)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("my dad seems down all the time and sleeps badly", "depression"),
        ("what should i do if my son eats peanuts and his throat starts to swell", "allergy"),
    ],
)
def test_function_words_in_a_description_are_no_names(function_word_searcher, query: str, first: str) -> None:
    """ "all" is not ALL, "his" not His bundle tachycardia, "down" not Down syndrome, inside a description."""
    parsed = understood(function_word_searcher, parse_query(query))
    assert {"all", "his", "down"} & set(parsed.words) <= parsed.plain_words
    assert not parsed.name_words & {"all", "hi", "his", "down"}
    hits = search(function_word_searcher, parse_query(query))
    assert hits[0].id == first


def test_a_function_word_in_capitals_or_a_short_query_still_names(function_word_searcher) -> None:
    assert search(function_word_searcher, parse_query("ALL in children who seem tired"))[0].id == "all"
    assert understood(function_word_searcher, parse_query("down syndrome")).plain_words == frozenset()
    assert search(function_word_searcher, parse_query("down syndrome"))[0].id == "down"

"""MedQuAD XML -> Article, on the real files of each of its three layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.article import Article, ParseError
from indexer.sections import kind_of_qtype
from indexer.sources.medquad import is_medquad, parse_medquad, source_questions, title_from_url
from tests.conftest import MEDQUAD


def parse(relpath: str) -> Article:
    path = MEDQUAD / relpath
    return parse_medquad(path.read_bytes(), path)


def test_document_layout() -> None:
    """<Document>: id from source and file name, title from Focus, aliases from Synonym."""
    article = parse("2_GARD_QA/0000004.xml")
    assert (article.id, article.title, article.source) == ("GARD_0000004", "ABCD syndrome", "GARD")
    assert article.url == "https://rarediseases.info.nih.gov/gard/335/abcd-syndrome"
    assert article.aliases == (
        "Albinism, Black lock, Cell migration disorder of the neurocytes of the gut and Deafness",
    )
    assert [(s.kind, s.qtype, s.anchor, s.heading) for s in article.sections] == [
        ("symptoms", "symptoms", "sec-1", "What are the symptoms of ABCD syndrome?"),
    ]
    assert article.sections[0].text.startswith("What are the signs and symptoms of ABCD syndrome?")
    assert article.warnings == ()


def test_doc_layout() -> None:
    """<doc> with lower-case tags (NINDS): doctitle-focus and pair/question/answer."""
    article = parse("6_NINDS_QA/0000007.xml")
    assert (article.id, article.title, article.source) == ("NINDS_0000007", "Holmes-Adie", "NINDS")
    assert [(s.kind, s.qtype, s.anchor) for s in article.sections] == [
        ("overview", "information", "sec-1"),
        ("treatment", "treatment", "sec-2"),
        ("outlook", "outlook", "sec-3"),
        ("research", "research", "sec-4"),
    ]
    assert article.sections[0].heading == "What is holmes-adie syndrome?"
    assert article.sections[0].text.startswith("Holmes-Adie syndrome (HAS) is a neurological disorder")


def test_disease_file_layout() -> None:
    """<DiseaseFile> (one CDC file): pairs with empty answers are skipped, pids kept as anchors."""
    article = parse("9_CDC_QA/0000397.xml")
    assert (article.id, article.title, article.source) == ("CDC_0000397", "Parasites - Taeniasis", "CDC")
    assert [(s.kind, s.qtype, s.anchor) for s in article.sections] == [
        ("overview", "information", "sec-1"),
        ("risk_factors", "susceptibility", "sec-2"),
        ("diagnosis", "exams and tests", "sec-5"),
        ("treatment", "treatment", "sec-6"),
        ("prevention", "prevention", "sec-7"),
    ]
    assert "Persons who don't eat raw" in article.sections[1].text


def test_id_from_file_name() -> None:
    """Some files repeat another's id attribute, so the file name is the id."""
    article = parse("1_CancerGov_QA/0000013_2_1.xml")
    assert (article.id, article.title) == ("CancerGov_0000013_2_1", "Polycythemia Vera")


def test_no_non_empty_answer() -> None:
    with pytest.raises(ParseError, match="no QA pair with a non-empty answer"):
        parse("2_GARD_QA/0002079.xml")


def test_empty_focus_titled_from_url() -> None:
    """An empty <Focus> still gives a findable title, and the build report says where from."""
    article = parse("9_CDC_QA/0000423.xml")
    assert article.title == "Visa Vrsa"
    assert article.warnings == ("empty <Focus>: title taken from the URL",)


@pytest.mark.parametrize(
    ("relpath", "qtype"),
    [
        ("1_CancerGov_QA/0000001_1.xml", "information"),
        ("1_CancerGov_QA/0000001_1.xml", "exams and tests"),
        ("1_CancerGov_QA/0000001_1.xml", "susceptibility"),
        ("1_CancerGov_QA/0000001_1.xml", "stages"),
        ("1_CancerGov_QA/0000006_1.xml", "causes"),
        ("3_GHR_QA/0000001.xml", "genetic changes"),
        ("3_GHR_QA/0000001.xml", "inheritance"),
        ("3_GHR_QA/0000001.xml", "frequency"),
        ("5_NIDDK_QA/0000001.xml", "considerations"),
        ("5_NIDDK_QA/0000083.xml", "complications"),
        ("7_SeniorHealth_QA/0000002.xml", "support groups"),
    ],
)
def test_section_kind_follows_qtype(relpath: str, qtype: str) -> None:
    """The qtype is kept beside the kind it maps to."""
    matching = [s for s in parse(relpath).sections if s.qtype == qtype]
    assert matching
    assert all(s.kind == kind_of_qtype(s.qtype) for s in matching)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<?xml version="1.0"?>\n<Document id="1" source="GARD">', True),
        (b'<?xml version="1.0"?>\n<doc docid="7" corpus="NINDS">', True),
        (b'<?xml version="1.0"?>\n<DiseaseFile fid="1" source="CDC">', True),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', False),
        (b"", False),
    ],
)
def test_is_medquad(data: bytes, expected: bool) -> None:
    """Only the three MedQuAD root elements qualify; other XML is not an article."""
    assert is_medquad(data) is expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "root element"),
        # the sniff in is_medquad only looks for a root tag name; the parser checks the real root
        (b'<Documents><Document id="1" source="X"><Focus>A</Focus></Document></Documents>', "root element"),
        (
            b'<Document id="1" source="X"><Focus></Focus><QAPairs><QAPair pid="1">'
            b'<Question qtype="causes">Why?</Question><Answer>Genes.</Answer></QAPair></QAPairs></Document>',
            "no <Focus> title",
        ),
        (
            b'<Document id="1" source="X"><Focus>Thing</Focus><QAPairs><QAPair pid="1">'
            b'<Question qtype="causes">Why?</Question><Answer>   </Answer></QAPair></QAPairs></Document>',
            "non-empty answer",
        ),
    ],
)
def test_unusable_xml(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=message):
        parse_medquad(data, tmp_path / "0000001.xml")


def test_truncated_file_still_read(tmp_path: Path) -> None:
    """The XML parser recovers, so a file cut off mid-way keeps its complete pairs."""
    data = (
        b'<?xml version="1.0"?><Document id="1" source="X"><Focus>Thing</Focus><QAPairs>'
        b'<QAPair pid="3"><Question qtype="causes">Why?</Question><Answer>Because of genes.</Answer></QAPair>'
    )
    article = parse_medquad(data, tmp_path / "0000001.xml")
    assert (article.id, article.title) == ("X_0000001", "Thing")
    assert [(s.kind, s.anchor, s.heading, s.text) for s in article.sections] == [
        ("causes", "sec-3", "Why?", "Because of genes.")
    ]


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("http://www.cdc.gov/HAI/organisms/visa_vrsa/visa_vrsa.html", "Visa Vrsa"),
        ("http://www.cdc.gov/parasites/taeniasis/", "Taeniasis"),
        ("https://example.org/flu/index.html", "Flu"),
        ("https://example.org/", ""),
        ("", ""),
    ],
)
def test_title_from_url(url: str, title: str) -> None:
    assert title_from_url(url) == title


def test_the_source_questions_stay_readable_beside_the_rewritten_headings() -> None:
    """Held-out topics ask what the source asked; the article shows headings rewritten for reading."""
    path = MEDQUAD / "1_CancerGov_QA/0000001_1.xml"
    article = parse("1_CancerGov_QA/0000001_1.xml")
    asked = source_questions(path.read_bytes())
    assert len(asked) == len(article.sections)
    assert article.sections[0].heading == "Overview"
    assert asked[:3] == [
        "What is (are) Adult Acute Lymphoblastic Leukemia?",
        "What are the symptoms of Adult Acute Lymphoblastic Leukemia?",
        "How to diagnose Adult Acute Lymphoblastic Leukemia?",
    ]

"""MedQuAD XML -> Article: one file is one article, its QA pairs its sections.

Three layouts occur: ``<Document id source>`` (most), ``<doc docid corpus>``
with lower-case tags (four NINDS files) and ``<DiseaseFile fid source>`` (one
CDC file).  Ids come from the file name, since ten files repeat another's id.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lxml import etree

from indexer.article import Article, ParseError, Section
from indexer.entities import extract_entities
from indexer.sections import kind_of_qtype
from indexer.sources.readable import readable_answer, readable_heading
from indexer.text import squash

ROOT_TAGS = {"Document", "doc", "DiseaseFile"}


def is_medquad(data: bytes) -> bool:
    """Whether XML bytes are a MedQuAD article (by its root element)."""
    head = data[:600].decode("utf-8", errors="ignore")
    return any(f"<{tag} " in head or f"<{tag}>" in head for tag in ROOT_TAGS)


def parse_medquad(data: bytes, path: Path) -> Article:
    """An article from one MedQuAD file; ParseError when it has no non-empty answer."""
    root = _root(data)
    source = root.get("source") or root.get("corpus") or "MedQuAD"
    title = squash(_text(root, "Focus") or _text(root, "doctitle-focus"))
    warnings = []
    if not title:
        title = title_from_url(root.get("url", ""))
        warnings.append("empty <Focus>: title taken from the URL")
    if not title:
        raise ParseError("no <Focus> title and no URL to name the article by")
    flat = _sections(root, title)
    if not flat:
        raise ParseError("no QA pair with a non-empty answer")
    sections = tuple(_readable(section, pair, title) for section, pair in zip(flat, _answers(root), strict=True))
    return Article(
        id=f"{source}_{path.stem}",
        title=title,
        url=root.get("url", ""),
        source=source,
        aliases=tuple(squash(s.text or "") for s in root.iter("Synonym") if squash(s.text or "")),
        sections=sections,
        entities=extract_entities(flat, title),  # the flat text, so entities stay as they were ranked
        warnings=tuple(warnings),
    )


def title_from_url(url: str) -> str:
    """A readable name from a URL's last path segment.

    >>> title_from_url("http://www.cdc.gov/HAI/organisms/visa_vrsa/visa_vrsa.html")
    'Visa Vrsa'
    """
    segments = [s for s in re.split(r"/", url.split("://")[-1])[1:] if s and s != "index.html"]
    if not segments:
        return ""
    name = re.sub(r"\.\w+$", "", segments[-1])
    return " ".join(w.capitalize() for w in re.split(r"[_\-\s]+", name) if w)


def source_questions(data: bytes) -> list[str]:
    """Each section's question as the source asks it ("What are the treatments for Gout?"), in section order.

    The article's headings are rewritten for reading ("Overview"); held-out topics are the questions themselves.
    """
    return [section.heading for section in _sections(_root(data), "")]


def _root(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError as error:
        raise ParseError(f"not well-formed XML: {error}") from error
    if root is None or root.tag not in ROOT_TAGS:
        raise ParseError("not a MedQuAD article (root element is not Document, doc or DiseaseFile)")
    return root


def _sections(root: etree._Element, title: str) -> tuple[Section, ...]:
    sections = []
    for pair in root.iter("QAPair", "pair"):
        question = pair.find("Question")
        if question is None:
            question = pair.find("question")
        answer = squash(_text(pair, "Answer") or _text(pair, "answer"))
        if question is None or not answer:
            continue
        qtype = (question.get("qtype") or "information").strip().lower()
        heading = re.sub(r"\s*\?[\s?]*$", "?", squash(question.text or qtype))
        pid = pair.get("pid") or str(len(sections) + 1)
        sections.append(Section(kind_of_qtype(qtype), heading, f"sec-{pid}", answer, qtype=qtype))
    return tuple(sections)


def _answers(root: etree._Element) -> list[str]:
    """The raw text of each non-empty answer, in the order of _sections."""
    raws = [_text(pair, "Answer") or _text(pair, "answer") for pair in root.iter("QAPair", "pair")]
    questions = [
        pair.find("Question") if pair.find("Question") is not None else pair.find("question")
        for pair in root.iter("QAPair", "pair")
    ]
    return [raw for raw, question in zip(raws, questions, strict=True) if question is not None and squash(raw)]


def _readable(section: Section, raw_answer: str, title: str) -> Section:
    """The section as people read it: a cleaned-up heading, paragraphs, spaced sentences and lists."""
    heading = readable_heading(section.heading, title, section.kind)
    return replace(section, heading=heading, text=readable_answer(raw_answer))


def _text(node: etree._Element, tag: str) -> str:
    found = node.find(f".//{tag}")
    return "".join(found.itertext()) if found is not None else ""

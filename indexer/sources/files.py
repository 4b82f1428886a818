"""A folder of article files -> (file, Article) pairs, whatever shape each file is in.

HTML pages go to the HTML parser, ``.txt`` files to the flattened-text parser,
MedQuAD XML to its own reader.  Ids come from the path inside the folder
(``scraped/vertigo.html`` -> ``scraped/vertigo``) or, for MedQuAD, from the
source and file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.article import Article, ParseError
from indexer.decode import decode
from indexer.parse import parse_html
from indexer.sources.medquad import is_medquad, parse_medquad
from indexer.textpage import parse_text

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
XML_SUFFIXES = {".xml"}
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | XML_SUFFIXES
# Files that travel with a collection but are not articles (a data set's readme).
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "changes", "copying", "notice", "authors"}


@dataclass(frozen=True)
class SourceFile:
    """One article file, known by its folder and its path inside it."""

    root: Path
    path: Path

    @property
    def relpath(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def default_id(self) -> str:
        return self.relpath.rsplit(".", 1)[0]


def discover(root: Path) -> Iterator[SourceFile]:
    """Article files under `root` (or `root` itself), sorted, hidden ones left out."""
    root = root.resolve()
    if root.is_file():
        yield SourceFile(root.parent, root)
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if _is_article_file(path, relative):
            yield SourceFile(root, path)


def _is_article_file(path: Path, relative: tuple[str, ...]) -> bool:
    return (
        path.suffix.lower() in SUFFIXES
        and path.stem.lower() not in NOT_ARTICLES
        and not any(part.startswith((".", "_")) for part in relative)
        and path.is_file()
    )


def read_article(file: SourceFile, data: bytes | None = None) -> Article:
    """The article in one file; ParseError says why there is none."""
    if data is None:
        data = file.path.read_bytes()
    suffix = file.path.suffix.lower()
    if suffix in XML_SUFFIXES:
        if not is_medquad(data):
            raise ParseError("XML that is not a MedQuAD article")
        article = parse_medquad(data, file.path)
    else:
        text, warnings = decode(data, is_html=suffix in HTML_SUFFIXES)
        fallback_title = file.path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
        parse = parse_html if suffix in HTML_SUFFIXES else parse_text
        article = parse(text, file.default_id, fallback_title)
        article = replace(article, source=file.root.name, warnings=tuple(warnings) + article.warnings)
    return replace(article, path=file.relpath)

"""A folder of article files -> (file, Article) pairs, whatever shape each file is in.

HTML pages go to the HTML parser, ``.txt`` files to the flattened-text parser,
MedQuAD XML to its own reader.  Ids come from the path inside the folder
(``scraped/vertigo.html`` -> ``scraped/vertigo``) or, for MedQuAD, from the
source and file name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer.article import Article, ParseError
from indexer.decode import MAX_BYTES, check_size, decode
from indexer.parse import parse_html
from indexer.sources.confine import FOLDER_LINK, PRIVATE, Confined, ReadRules
from indexer.sources.medquad import is_medquad, parse_medquad
from indexer.textpage import parse_text

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
XML_SUFFIXES = {".xml"}
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | XML_SUFFIXES
# Files that travel with a collection but are not articles (a data set's readme).
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "changes", "copying", "notice", "authors"}
BAD_NAME = "name is not valid UTF-8: rename the file (the name gives the article its id and address)"


@dataclass(frozen=True)
class SourceFile:
    """One article file, known by its folder and its path inside it.

    `refused` says why it may not be read; `fence` reads it when it was found by a walk.
    """

    root: Path
    path: Path
    refused: str = ""
    fence: Confined | None = field(default=None, compare=False, repr=False)

    @property
    def relpath(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def default_id(self) -> str:
        return self.relpath.rsplit(".", 1)[0]

    def read_bytes(self, most: int = MAX_BYTES + 1) -> bytes:
        """The file's bytes (one past the size limit at most), through the fence of its source folder if it has one."""
        return self.fence.read(self.path, most) if self.fence else self.path.read_bytes()


def discover(root: Path, rules: ReadRules | None = None) -> Iterator[SourceFile]:
    """Article files under `root` (or `root` itself), sorted, hidden ones left out.

    Files the fence refuses come too, with the reason, so the build summary can
    say why they were skipped; folders reached through a link are never entered.
    """
    root, rules = root.resolve(), rules or ReadRules()
    if root.is_file():
        fence = Confined(root.parent, rules)
        yield SourceFile(root.parent, root, _name_refusal(root.parent, root) or fence.refusal(root), fence)
        return
    fence = Confined(root, rules)
    found: list[SourceFile] = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        closed = {name: _closed(here / name, fence) for name in subfolders if not name.startswith((".", "_"))}
        subfolders[:] = [name for name, reason in closed.items() if not reason]
        found += [SourceFile(root, here / name, reason, fence) for name, reason in closed.items() if reason]
        articles = [here / name for name in names if _is_article(name)]
        found += [SourceFile(root, path, _name_refusal(root, path) or fence.refusal(path), fence) for path in articles]
    yield from sorted(found, key=lambda file: file.path)


def _name_refusal(root: Path, path: Path) -> str:
    """Why a file's name cannot name an article ('' when it can): its id, address and source come from it."""
    try:
        f"{root.name}/{path.relative_to(root)}".encode()
    except UnicodeEncodeError:
        return BAD_NAME
    return ""


def _closed(folder: Path, fence: Confined) -> str:
    """Why a subfolder is not entered ('' when it is)."""
    if folder.is_symlink():
        return FOLDER_LINK
    return PRIVATE if fence.is_private(folder.resolve()) else ""


def _is_article(name: str) -> bool:
    path = Path(name)
    return path.suffix.lower() in SUFFIXES and path.stem.lower() not in NOT_ARTICLES and not name.startswith((".", "_"))


def read_article(file: SourceFile, data: bytes | None = None) -> Article:
    """The article in one file; ParseError says why there is none."""
    if data is None:
        data = file.read_bytes()
    suffix = file.path.suffix.lower()
    if suffix in XML_SUFFIXES:
        check_size(len(data))
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

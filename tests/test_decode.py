"""Raw bytes -> text: what is refused, and how each encoding is read."""

from __future__ import annotations

import pytest

from indexer.article import ParseError
from indexer.decode import MAX_BYTES, decode

CP1252_WARNING = "not valid UTF-8 and no charset declared: read as Windows-1252"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t \r\n ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary file"),
        (b"<p>hello\x00world</p>", "binary file"),
        (b"\x01\x02\x03\x04\x05\x06abc", "binary file"),
        (b"<p>" + b"a" * (5 * 1024 * 1024) + b"</p>", r"file too large: 5\.0 MiB"),
    ],
)
def test_refused(data: bytes, message: str) -> None:
    """Empty, binary and oversized files are not articles, and the error says which."""
    with pytest.raises(ParseError, match=message):
        decode(data)


@pytest.mark.parametrize(
    ("data", "is_html", "text", "warnings"),
    [
        ("<p>Café</p>".encode(), True, "<p>Café</p>", []),
        # a BOM wins and is not part of the text
        ("<p>Café</p>".encode("utf-8-sig"), True, "<p>Café</p>", []),
        ("Café".encode("utf-8-sig"), False, "Café", []),
        ("<p>Café</p>".encode("utf-16"), True, "<p>Café</p>", []),
        # undeclared legacy bytes are still read, with a warning for the build report
        ("<p>Café – “naïve”</p>".encode("cp1252"), True, "<p>Café – “naïve”</p>", [CP1252_WARNING]),
        ("Café – ok".encode("cp1252"), False, "Café – ok", [CP1252_WARNING]),
        # a declared charset is trusted, so no warning
        (
            '<meta charset="windows-1252"><p>Café – “q”</p>'.encode("cp1252"),
            True,
            '<meta charset="windows-1252"><p>Café – “q”</p>',
            [],
        ),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>Café</p>'.encode("cp1252"),
            True,
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>Café</p>',
            [],
        ),
        # a declared charset that is not a codec falls back to UTF-8
        ('<meta charset="no-such-codec"><p>Café</p>'.encode(), True, '<meta charset="no-such-codec"><p>Café</p>', []),
    ],
)
def test_decoded(data: bytes, is_html: bool, text: str, warnings: list[str]) -> None:
    """Every readable encoding gives the same text; only guessing warns."""
    assert decode(data, is_html=is_html) == (text, warnings)


def test_size_limit_is_inclusive() -> None:
    """A page exactly at the limit is still read."""
    data = b"a" * MAX_BYTES
    assert decode(data, max_bytes=MAX_BYTES)[0] == "a" * MAX_BYTES
    with pytest.raises(ParseError, match="too large"):
        decode(data + b"a", max_bytes=MAX_BYTES)

"""Raw file bytes -> text, refusing what is not a readable page.

Stages: size and emptiness checks, binary sniffing, then decoding: a BOM or a
declared charset wins; undeclared bytes are tried as UTF-8, then as
Windows-1252 (a superset of Latin-1 for printable text), with a warning.
"""

from __future__ import annotations

from bs4.dammit import EncodingDetector

from indexer.article import ParseError

MAX_BYTES = 2 * 1024 * 1024  # larger "articles" are archives, data dumps or inline images


def decode(data: bytes, is_html: bool = True, max_bytes: int = MAX_BYTES) -> tuple[str, list[str]]:
    """The text of a file and any warnings about how it was read."""
    if not data.strip():
        raise ParseError("empty file")
    check_size(len(data), max_bytes)
    if _looks_binary(data):
        raise ParseError("binary file, not text or HTML")
    data, bom_encoding = EncodingDetector.strip_byte_order_mark(data)
    declared = bom_encoding or _declared_encoding(data, is_html)
    if declared:
        try:
            return data.decode(declared), []
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, ["not valid UTF-8 and no charset declared: read as Windows-1252"]


def check_size(size: int, max_bytes: int = MAX_BYTES) -> None:
    """ParseError for a file over the limit, whatever its kind (a MedQuAD XML file too)."""
    if size > max_bytes:
        raise ParseError(f"file too large: {size / 2**20:.1f} MiB (limit {max_bytes / 2**20:.1f} MiB)")


def _declared_encoding(data: bytes, is_html: bool) -> str:
    declared = EncodingDetector.find_declared_encoding(data[:4096], is_html=is_html)
    return (declared or "").lower()


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05

"""sitemap.xml (and sitemap index) -> URLs, read with lxml, never resolving entities or the network."""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def read_sitemap(data: bytes) -> tuple[list[str], list[str]]:
    """The page URLs of a sitemap, and the child sitemaps of a sitemap index.

    >>> read_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    ...              b'<url><loc> https://a.org/x.html </loc></url></urlset>')
    (['https://a.org/x.html'], [])
    """
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    locs = [(loc.getparent(), (loc.text or "").strip()) for loc in root.iter("{*}loc")]
    pages = [url for parent, url in locs if url and etree.QName(parent).localname == "url"]
    children = [url for parent, url in locs if url and etree.QName(parent).localname == "sitemap"]
    return pages, children

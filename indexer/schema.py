"""The Whoosh schema and its analyzers, in one place.

Fields the search side weighs separately: the condition (title), its aliases,
the named entities (types, treatments, specialists) and the whole text; the
section kinds an article has, so a query's intent can favour articles with it.
The article itself is stored as JSON for result pages and highlighting, so
no indexed field needs to be stored twice.
"""

from __future__ import annotations

from whoosh.analysis import (
    STOP_WORDS as WHOOSH_STOP_WORDS,
)
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.analysis.analyzers import Analyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 4  # bump when what a field holds changes (4: generic head nouns in name keys)
ENTITY_FIELDS = ("types", "treatments", "specialists")
# The tokenizer splits "Crohn's" and "don't"; their tails are noise, not words.
POSSESSIVES = frozenset({"s", "t"})
STOP_WORDS = WHOOSH_STOP_WORDS | POSSESSIVES


def text_analyzer() -> Analyzer:
    """Words, lower-cased, accents folded, stop words out, Porter-stemmed.

    Single characters stay (type 1 vs type 2 diabetes), as do numbers.

    >>> [t.text for t in text_analyzer()("Type 2 diabetes in Sjögren's syndromes")]
    ['type', '2', 'diabet', 'sjogren', 'syndrome']
    """
    return StemmingAnalyzer(stoplist=STOP_WORDS, minsize=1, cachesize=-1) | CharsetFilter(accent_map)


def plain_analyzer() -> Analyzer:
    """Words as written (lower-cased, accents folded): for exact and spelling work.

    >>> [t.text for t in plain_analyzer()("Crohn's Diseases")]
    ['crohn', 'diseases']
    """
    tokens = RegexTokenizer() | LowercaseFilter()
    return tokens | StopFilter(stoplist=POSSESSIVES, minsize=1) | CharsetFilter(accent_map)


_KEY_ANALYZER = text_analyzer()


# Head nouns that name "something wrong with" a body part interchangeably: "eye
# disorders", "eye diseases" and "eye problems" are one name, "mental illness" and
# "mental disorders" too.
GENERIC_HEADS = {"disord": "diseas", "condit": "diseas", "problem": "diseas", "ill": "diseas"}


def name_key(name: str) -> str:
    """A name as one term that ignores case, punctuation, stop words and word endings.

    >>> name_key("Hereditary Neuropathies") == name_key("hereditary neuropathy")
    True
    >>> name_key("Autoimmune Diseases") == name_key("autoimmune disorders")
    True
    """
    return " ".join(GENERIC_HEADS.get(token.text, token.text) for token in _KEY_ANALYZER(name))


def build_schema() -> Schema:
    stemmed = text_analyzer()
    fields = {
        "id": ID(stored=True, unique=True),
        "title": TEXT(analyzer=stemmed, stored=True, spelling=True),
        "title_exact": TEXT(analyzer=plain_analyzer()),
        # the whole title and each alias as one normalised term, for exact-name matches
        "name_key": KEYWORD(commas=True, scorable=True),
        "aliases": TEXT(analyzer=stemmed, spelling=True),
        "content": TEXT(analyzer=stemmed),
        "source": ID(stored=True),
        "kinds": KEYWORD(commas=True, stored=True, scorable=False),
        "specialist_tags": KEYWORD(commas=True, lowercase=True, stored=True, scorable=False),
        "content_hash": ID(stored=True),
        "reviewed": ID(stored=True),
        "article": STORED(),
    }
    fields.update({name: TEXT(analyzer=stemmed) for name in ENTITY_FIELDS})
    return Schema(**fields)

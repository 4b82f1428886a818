"""Types, treatments and specialists from lists, enumerations and running text."""

from __future__ import annotations

import pytest

from indexer.article import Entities, Section
from indexer.entities import extract_entities, find_specialists, item_name, split_enumeration


def section(kind: str, text: str, items: tuple[str, ...] = ()) -> Section:
    return Section(kind=kind, heading=kind.title(), anchor=kind, text=text, items=items)


@pytest.mark.parametrize(
    ("text", "glued", "items"),
    [
        ("ice pick, boxcar, and rolling scars", False, ["ice pick", "boxcar", "rolling scars"]),
        ("rest, ice or compression", False, ["rest", "ice", "compression"]),
        ("Chemical peels or Microdermabrasion", False, ["chemical peels", "microdermabrasion"]),
        ("steroid injections, which tend to help", False, ["steroid injections"]),
        ("PRP", False, ["PRP"]),
        ("these are common", False, []),
        ("", False, []),
        (
            "Lasers (Clear + Brilliant)Microneedling Dermal fillers",
            True,
            ["lasers", "Clear + Brilliant", "microneedling", "dermal fillers"],
        ),
        (
            "Laser treatments (Clear + Brilliant, Harmony XL Pro)Microneedling Dermal fillers "
            "Platelet-rich plasma therapy",
            True,
            [
                "laser treatments",
                "Clear + Brilliant",
                "Harmony XL Pro",
                "microneedling",
                "dermal fillers",
                "platelet-rich plasma therapy",
            ],
        ),
        # too many words for a name: a sentence, not an item
        ("one two three four five six seven, splints", False, ["splints"]),
        pytest.param(
            "NSAIDs, colchicine and corticosteroids",
            False,
            ["NSAIDs", "colchicine", "corticosteroids"],
        ),
    ],
)
def test_split_enumeration(text: str, glued: bool, items: list[str]) -> None:
    """Separators, parentheses and glued capitals all end an item; clauses do not become one."""
    assert split_enumeration(text, glued=glued) == items


@pytest.mark.parametrize(
    ("item", "name"),
    [
        ("Boxcar scars: wide, sharp-edged pits", "Boxcar scars"),
        ("Ice pick scars - narrow and deep", "Ice pick scars"),
        ("Chemical peels – remove the top layer", "Chemical peels"),
        ("Rolling scars. They look wavy", "Rolling scars"),
        ("Dermal fillers.", "Dermal fillers"),
        ("  Subcision  ", "Subcision"),
        ("Laser resurfacing", "Laser resurfacing"),
        ("This is a very long item that has many words in it", ""),
        ("", ""),
    ],
)
def test_item_name(item: str, name: str) -> None:
    """A list item's name is what comes before its description."""
    assert item_name(item) == name


@pytest.mark.parametrize(
    ("sections", "title", "expected"),
    [
        (
            [section("treatment", "Options include:Laser treatments (Clear + Brilliant)Microneedling Dermal fillers")],
            "Acne Scars",
            Entities(treatments=("laser treatments", "Clear + Brilliant", "microneedling", "dermal fillers")),
        ),
        (
            [section("treatment", "Gout is treated with medicines such as colchicine, allopurinol and febuxostat.")],
            "Gout",
            Entities(treatments=("colchicine", "allopurinol", "febuxostat")),
        ),
        (
            [
                section(
                    "types",
                    "• Boxcar scars: wide pits\n• Ice pick scars: narrow",
                    items=("Boxcar scars", "Ice pick scars"),
                )
            ],
            "Acne Scars",
            Entities(types=("boxcar scars", "ice pick scars")),
        ),
        (
            [section("treatment", "Options include steroid injections, which tend to help with swelling.")],
            "Gout",
            Entities(treatments=("steroid injections",)),
        ),
        (
            # the head noun comes off the last item and type lead sentences add names
            [
                section(
                    "types",
                    "Types include allergic, viral, and bacterial conjunctivitis. "
                    "Giant papillary conjunctivitis is seen in lens wearers.",
                )
            ],
            "Conjunctivitis",
            Entities(types=("allergic", "viral", "bacterial", "giant papillary")),
        ),
        (
            # only Types and Treatment sections are read for names
            [section("overview", "Treatments such as surgery help. Types include acute and chronic.")],
            "Gout",
            Entities(),
        ),
    ],
)
def test_extract_entities(sections: list[Section], title: str, expected: Entities) -> None:
    """Named lists become search fields; prose around them does not."""
    assert extract_entities(sections, title) == expected


@pytest.mark.parametrize(
    ("sections", "specialists"),
    [
        (
            [section("treatment", "A surgeon or an orthopedic surgeon may operate.")],
            ("surgeon", "orthopedic surgeon"),
        ),
        (
            # the Specialist section is read first, whatever its place in the article
            [
                section("overview", "A rheumatologist or your general practitioner can help."),
                section("specialist", "See an orthopedic surgeon or a physiotherapist."),
            ],
            ("orthopedic surgeon", "physiotherapist", "rheumatologist", "general practitioner"),
        ),
        (
            [section("diagnosis", "Dermatologists and ENT specialists examine it; the pianist does not.")],
            ("dermatologist", "ent specialist"),
        ),
        ([section("overview", "Rest at home and drink water.")], ()),
    ],
)
def test_find_specialists(sections: list[Section], specialists: tuple[str, ...]) -> None:
    """Specialists are found in running text, multi-word titles whole, plurals singular."""
    assert find_specialists(sections) == specialists


def test_enumeration_stops_at_the_verb() -> None:
    """ "such as A and B <verb> ..." names A and B only."""
    found = extract_entities([section("treatment", "Medicines such as ibuprofen and naproxen ease the pain.")], "Gout")
    assert found.treatments == ("ibuprofen", "naproxen")


def test_rendered_list_bullets_are_not_treatments() -> None:
    """A list after "includes:" yields its items and nothing else."""
    found = extract_entities(
        [section("treatment", "Treatment includes:\n\n• Rest\n• Ice packs", items=("Rest", "Ice packs"))],
        "Sprain",
    )
    assert found.treatments == ("rest", "ice packs")

"""Table: the one shape every audit report is rendered and exported in."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

# A cell a spreadsheet would run as a formula; queries come from visitors, so they are defused.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "columns": self.columns, "rows": self.records()}

    def to_csv(self) -> str:
        """CSV with a header row; lists joined by '; ', formula-like text prefixed with a quote.

        >>> print(Table("t", "T", ["q", "n"], [["=1+1", 2], [["a", "b"], 0]]).to_csv(), end="")
        q,n
        '=1+1,2
        a; b,0
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([_cell(value) for value in row] for row in self.rows)
        return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value

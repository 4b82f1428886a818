"""Staff audits, computed as plain data that the staff pages, exports and `healthsearch audit` render.

coverage.py   article summaries (written at index time) -> sections present, thin, missing; stale; duplicates
catalog.py    topic text -> the article that covers it, through titles, aliases and synonyms
demand.py     the query log -> top, zero-result and low-click queries, daily volume
classify.py   one zero-result query -> why it found nothing, and the fix
checklist.py  a list of expected topics -> covered, partly covered, missing
tables.py     Table: the one shape every report is exported in (CSV, JSON)
charts.py     server-side SVG bar charts
"""

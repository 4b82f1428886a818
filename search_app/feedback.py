"""'This search should have found something': one click from a page without results.

Kept beside the query log, in its file, as the logged search's id and a time: no
query text of its own, no address, cookie or user id.  Rows go when the query log's
retention says so; its table is part of the log's schema (querylog.MIGRATIONS).  Like
the log, a feedback never fails a page: any database error drops it with a warning.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app

from search_app.database import DatabaseError
from search_app.querylog import get_db, log, stamp


def record_feedback(search_id: int) -> bool:
    """Note that a logged search should have found something; whether it was kept."""
    if not log().enabled:
        return False
    try:
        connection = get_db()
        known = connection.execute("SELECT 1 FROM searches WHERE id = ?", (search_id,)).fetchone()
        if known is None:
            return False
        cutoff = stamp(datetime.now(timezone.utc) - timedelta(days=log().retention_days))
        connection.execute("DELETE FROM feedback WHERE at < ?", (cutoff,))
        connection.execute("INSERT INTO feedback (search_id, at) VALUES (?, ?)", (search_id, stamp()))
    except DatabaseError as error:
        current_app.logger.warning("feedback not kept: %s", error)
        return False
    return True

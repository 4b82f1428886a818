"""Pages for staff: coverage, demand and topic checklist audits, behind a login.

The audits compute plain data (search_app/audit/); the views only choose the
period, page or format and render it, as HTML, CSV (one table) or JSON (every
table).  Every form carries a CSRF token; every page needs a signed-in
account (managed with `healthsearch staff`).  Wrong passwords are rate-limited
per client address and per account name (limits.py); the session cookie is
HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
(directly, or as a trusted proxy's X-Forwarded-Proto says).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from indexer.article import SECTION_LABELS
from search_app import accounts, querylog
from search_app.audit import checklist, coverage, demand
from search_app.audit.catalog import Catalog
from search_app.audit.charts import Bar, share_chart, volume_chart
from search_app.audit.tables import Table
from search_app.database import DatabaseError
from search_app.index import store
from search_app.params import BadParameter, has_control_characters, parse_choice, parse_int
from search_app.synonyms import load_synonyms

bp = Blueprint("staff", __name__, url_prefix="/staff")
csrf = CSRFProtect()
MATRIX_PAGE = 100
MAX_UPLOAD = 1024 * 1024
FORMATS = ("html", "csv", "json")


@bp.before_request
def require_login() -> Response | None:
    """Check the CSRF token of every form, then that someone is signed in."""
    if request.method == "POST":
        csrf.protect()
    if request.endpoint == "staff.login":
        return None
    name = session.get("staff")
    epoch = accounts.session_epoch(current_app.config["STAFF_DB"], name) if name else None
    if epoch is None or session.get("epoch") != epoch:  # signed out, new password, or removed since
        session.pop("staff", None)
        session.pop("epoch", None)
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    g.staff = name
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> tuple[str, int]:
    return render_template("staff/error.html", message=f"The form expired or was forged ({error.description})."), 400


@bp.errorhandler(BadParameter)
@bp.errorhandler(checklist.ChecklistError)
def bad_request(error: ValueError) -> tuple[str, int]:
    return render_template("staff/error.html", message=str(error)), 400


@bp.app_template_filter("section_label")
def section_label(kind: str) -> str:
    return coverage.label(kind)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Sign in with a staff account."""
    if request.method == "GET":
        return render_template("staff/login.html", next=request.args.get("next", ""))
    name = accounts.verify(
        current_app.config["STAFF_DB"], request.form.get("name", ""), request.form.get("password", "")
    )
    target = request.form.get("next", "")
    if name is None:
        return render_template("staff/login.html", next=target, error="Wrong name or password."), 401
    if accounts.session_epoch(current_app.config["STAFF_DB"], name) is None:  # an account older than epochs
        accounts.end_sessions(current_app.config["STAFF_DB"], name)
    session.clear()
    session["staff"] = name
    session["epoch"] = accounts.session_epoch(current_app.config["STAFF_DB"], name)
    return redirect(target if _local_staff_path(target) else url_for("staff.overview"))


@bp.post("/logout")
def logout() -> Response:
    """Sign out, here and in every other session of the account."""
    accounts.end_sessions(current_app.config["STAFF_DB"], g.staff)
    session.clear()
    return redirect(url_for("staff.login"))


@bp.get("")
def overview() -> str:
    """At a glance: coverage per section and last week's searches that found nothing."""
    report = _coverage()
    recent = _demand(7)
    return render_template(
        "staff/overview.html",
        headline=report.headline(),
        chart=_coverage_chart(report),
        demand=recent,
        policy=report.policy,
        label=coverage.label,
    )


@bp.get("/coverage")
def coverage_page() -> Response | str:
    """Which articles lack which sections: per section, policy breakers, stale, duplicates, the matrix."""
    report = _coverage()
    fmt = _format()
    if fmt != "html":
        return _export(report.tables(), "coverage", fmt)
    show = request.args.get("show", "breaking")
    if show not in ("breaking", "all"):
        raise BadParameter("'show' must be 'breaking' or 'all'")
    rows = [a for a, *_ in report.breaking()] if show == "breaking" else report.articles
    sort = parse_choice(request.args, "sort", ("title", "traffic"))
    rows = _sorted(rows, sort)
    pages = max(1, -(-len(rows) // MATRIX_PAGE))
    page = parse_int(request.args, "page", 1, 1, pages)
    stale, undated = report.stale()
    return render_template(
        "staff/coverage.html",
        report=report,
        headline=report.headline(),
        chart=_coverage_chart(report),
        counts=report.section_counts(),
        rows=rows[(page - 1) * MATRIX_PAGE : page * MATRIX_PAGE],
        show=show,
        sort=sort,
        page=page,
        pages=pages,
        stale=stale[:200],
        stale_total=len(stale),
        undated=undated,
        duplicates=report.duplicates(),
        label=coverage.label,
    )


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    """Articles by title, or by how often visitors opened them from results (90 days), most first."""
    if sort == "traffic":
        clicks = querylog.log().popular_articles(90)
        return sorted(rows, key=lambda a: (-clicks.get(a["id"], 0), a["title"].casefold()))
    return sorted(rows, key=lambda a: (a["title"].casefold(), a["id"]))


@bp.get("/coverage/articles/<path:article_id>")
def article_detail(article_id: str) -> tuple[str, int] | str:
    """One article's sections, word counts, warnings and review date."""
    report = _coverage()
    article = next((a for a in report.articles if a["id"] == article_id), None)
    if article is None:
        return render_template("staff/error.html", message=f"No article {article_id!r}."), 404
    missing, thin = report.problems(article)
    return render_template(
        "staff/article.html",
        article=article,
        grades=report.grades(article),
        missing=missing,
        thin=thin,
        policy=report.policy,
        label=coverage.label,
    )


@bp.get("/demand")
def demand_page() -> Response | str:
    """What visitors searched for over a period: top, zero-result and low-click queries, daily volume."""
    days = parse_int(request.args, "days", 7, 1, demand.MAX_DAYS)
    report = _demand(days)
    fmt = _format()
    if fmt != "html":
        if report is None:
            raise BadParameter("the query log is off or unreadable")
        return _export(report.tables(), "demand", fmt)
    chart = volume_chart(report.daily, f"Searches per day, last {days} days") if report else None
    return render_template("staff/demand.html", report=report, days=days, chart=chart)


@bp.route("/checklist", methods=["GET", "POST"])
def checklist_page() -> Response | str:
    """Paste or upload the topics the library should cover; see which are covered."""
    if request.method == "GET":
        return render_template("staff/checklist.html", results=None, text="")
    text = _topics_text()
    results = checklist.check(checklist.parse_topics(text), _catalog(), _coverage().policy)
    fmt = request.form.get("format", "html")
    if fmt not in FORMATS:
        raise BadParameter(f"'format' must be one of: {', '.join(FORMATS)}")
    if fmt != "html":
        return _export({"checklist": checklist.table(results)}, "checklist", fmt)
    return render_template(
        "staff/checklist.html", results=results, summary=checklist.summary(results), text=text, label=coverage.label
    )


def _topics_text() -> str:
    upload = request.files.get("file")
    if upload and upload.filename:
        data = upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise checklist.ChecklistError("the file is over 1 MB")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise checklist.ChecklistError("the file is not UTF-8 text") from error
    return request.form.get("topics", "")


def _format() -> str:
    fmt = request.args.get("format", "html")
    if fmt not in FORMATS:
        raise BadParameter(f"'format' must be one of: {', '.join(FORMATS)}")
    return fmt


def _export(tables: dict[str, Table], report: str, fmt: str) -> Response:
    """Every table as JSON, or the one named by ?table= (default: the first) as CSV."""
    if fmt == "json":
        return jsonify({"report": report, "tables": {name: t.to_json() for name, t in tables.items()}})
    name = request.values.get("table") or next(iter(tables))
    if name not in tables:
        raise BadParameter(f"'table' must be one of: {', '.join(tables)}")
    return Response(
        tables[name].to_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export_name(report, name, _today())}"'},
    )


def export_name(report: str, table: str, day: date) -> str:
    """A file name that says what and when, without repeating itself.

    >>> export_name("coverage", "sections", date(2026, 3, 1)), export_name("checklist", "checklist", date(2026, 3, 1))
    ('healthsearch-coverage-sections-2026-03-01.csv', 'healthsearch-topic-checklist-2026-03-01.csv')
    """
    words = [EXPORT_TITLES.get(report, report)] + ([table] if table != report else [])
    return f"healthsearch-{'-'.join(words)}-{day.isoformat()}.csv"


EXPORT_TITLES = {"checklist": "topic-checklist"}


def _coverage() -> coverage.Coverage:
    policy = coverage.Policy.from_config(current_app.config)
    return coverage.report(store(), policy, _today())


def _catalog() -> Catalog:
    return Catalog(coverage.load_articles(store()), load_synonyms())


def _demand(days: int) -> demand.Demand | None:
    """The demand report, or None when the query log is off or cannot be read."""
    if not querylog.log().enabled:
        return None
    try:
        return demand.compute(querylog.get_db(), days, _today(), querylog.log().hourly)
    except DatabaseError as error:
        current_app.logger.warning("query log unreadable: %s", error)
        return None


def _coverage_chart(report: coverage.Coverage) -> Any:
    bars = []
    for kind, present, thin, missing in report.required_counts():
        n = max(1, present + thin + missing)
        parts = (("present", present / n), ("thin", thin / n))
        bars.append(Bar(SECTION_LABELS.get(kind, kind), parts, f"{(present + thin) / n:.0%} ({thin} thin)"))
    return share_chart(bars, "Share of articles with each required section (of those that require it)")


def _local_staff_path(target: str) -> bool:
    """A staff page of this site to go back to after signing in (never another site, never a forged header)."""
    local = target.startswith("/staff") and not target.startswith("//") and "\\" not in target
    return local and not has_control_characters(target)


def _today() -> date:
    return datetime.now(timezone.utc).date()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure set per request: on whenever it came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Sessions signed with a shared secret, in Lax, HttpOnly (and over HTTPS, Secure) cookies; CSRF on every form."""
    accounts.ensure_secret_key(app)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in require_login, for the staff forms
    # Flask's defaults hold SESSION_COOKIE_SAMESITE = None, so a setdefault would keep None.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"] or "Lax"
    app.session_interface = SessionCookies()
    csrf.init_app(app)
    app.register_blueprint(bp)

"""The `healthsearch` command: parse, crawl, index, info, search, serve."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click
from flask import Flask

from crawler.crawl import CrawlReport, Settings, crawl
from engine.evaluate import write_run
from engine.query import QueryError, parse_query
from engine.search import SCORING, search
from engine.semantic import semantic_report
from engine.synonyms import lay_terms_source, load_synonyms
from indexer.article import Article, ParseError
from indexer.build import BuildReport, build_index, outdated_sources
from indexer.publish import PublishError
from indexer.publish import publish as publish_generation
from indexer.sources.confine import ReadRules
from indexer.sources.files import SourceFile, read_article
from indexer.store import BuildLocked, IndexMissing, IndexStore
from search_app import accounts, create_app
from search_app.audit.checklist import ChecklistError
from search_app.audit.report import audit_tables
from search_app.config import private_paths
from search_app.devserver import PrivateRequestHandler
from search_app.prepare import prepare_generation
from search_app.production import gunicorn_argv

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (default: HEALTHSEARCH_INDEX_DIR, else the app's instance/index).",
)


def _store(index_dir: Path | None) -> IndexStore:
    return IndexStore(index_dir or create_app().config["INDEX_DIR"])


def _build(
    app: Flask,
    sources: list[Path],
    store: IndexStore,
    rebuild: bool = False,
    progress: bool = False,
    links: bool = False,
) -> BuildReport:
    """A build as every command runs one: the app's read rules, the new generation prepared before it is published."""
    rules = _read_rules(app, links)
    return build_index(sources, store, rebuild, progress, rules=rules, prepare=prepare_generation)


def _read_rules(app: Flask, follow_links: bool = False) -> ReadRules:
    """How builds started from here read their sources: never the app's own private files."""
    return ReadRules(follow_links=follow_links, private=private_paths(app.config, app.instance_path))


@click.group()
def main() -> None:
    """Full-text search over health articles."""


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
def parse(path: Path, as_json: bool) -> None:
    """Show how one article file is understood."""
    path = path.resolve()
    try:
        article = read_article(SourceFile(path.parent, path))
    except ParseError as error:
        raise click.ClickException(_shown(f"{path}: {error}")) from error
    click.echo(json.dumps(article.to_dict(), indent=2, ensure_ascii=False) if as_json else _describe(article))


def _describe(article: Article) -> str:
    lines = [f"{article.title}  [{article.id}]"]
    if article.aliases:
        lines.append("Also called: " + ", ".join(article.aliases))
    if article.reviewed:
        lines.append(f"Reviewed: {article.reviewed}")
    for section in article.sections:
        preview = section.text.replace("\n", " ")
        lines.append(f"  {section.kind:<19} {section.heading!r} #{section.anchor}: {preview[:70]}…")
    for name, values in (
        ("Types", article.entities.types),
        ("Treatments", article.entities.treatments),
        ("Specialists", article.entities.specialists),
    ):
        if values:
            lines.append(f"{name}: " + "; ".join(values))
    lines += [f"warning: {w}" for w in article.warnings]
    return "\n".join(lines)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Ignore the existing index and build from scratch.")
@click.option("--follow-links", is_flag=True, help="Read symbolic links to files that stay inside the source folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def index(sources: tuple[Path, ...], index_dir: Path | None, rebuild: bool, follow_links: bool, as_json: bool) -> None:
    """Index folders of HTML/text articles or MedQuAD XML (only what changed)."""
    app = create_app({"INDEX_DIR": str(index_dir)} if index_dir else None)
    store = IndexStore(app.config["INDEX_DIR"])
    progress = sys.stderr.isatty() and not as_json
    try:
        report = _build(app, list(sources), store, rebuild, progress, follow_links)
    except BuildLocked as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else _summary(report, store))


@main.command()
@click.argument("targets", nargs=-1, required=True)
@INDEX_OPTION
def publish(targets: tuple[str, ...], index_dir: Path | None) -> None:
    """Copy the live generation to replica index folders (paths or rsync targets), then switch them all to it."""
    store = _store(index_dir)
    try:
        name = publish_generation(store, list(targets))
    except (IndexMissing, PublishError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{len(targets)} replica(s) now serve {name}")


def _summary(report: BuildReport, store: IndexStore) -> str:
    if report.changed:
        head = f"Indexed {report.added} new, {report.updated} updated, {report.removed} removed"
    else:
        head = "Nothing changed"
    lines = [
        f"{head}; {report.unchanged} unchanged. {report.articles} articles in {_shown(str(store.root))} "
        f"(generation {report.generation}) in {report.seconds:.1f} s."
    ]
    if report.vectors and report.vectors.error:
        lines.append(f"Semantic search off: {report.vectors.error}")
    elif report.vectors:
        lines.append(f"Section vectors: {report.vectors.embedded} embedded, {report.vectors.reused} reused.")
    if report.skipped:
        lines.append(f"Skipped {len(report.skipped)} file(s):")
        lines += [f"  {_shown(file)}: {_shown(reason)}" for file, reason in report.skipped]
    lines += [f"warning: {_shown(file)}: {_shown(warning)}" for file, warning in report.warnings]
    return "\n".join(lines)


def _shown(text: str) -> str:
    """Text for one line of a terminal: control characters (a newline in a file name), other
    unprintable ones and backslashes as Python escapes, so no name can forge a line or move the cursor.

    >>> print(_shown("a\\nb\\x1b[2K.html"))
    a\\nb\\x1b[2K.html
    """
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode() for c in text)


@main.command(name="crawl")
@click.argument("url")
@click.option("--into", required=True, type=click.Path(file_okay=False, path_type=Path), help="Corpus folder.")
@click.option("--sitemap", help="Sitemap URL (default: robots.txt's, else /sitemap.xml).")
@click.option("--prefix", help="Path prefix to keep to (default: the start URL's folder).")
@click.option("--max-pages", default=500, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option(
    "--delay", default=1.0, show_default=True, type=click.FloatRange(0, 600), help="Seconds between requests."
)
@click.option("--json", "as_json", is_flag=True, help="Print the crawl report as JSON.")
def crawl_command(
    url: str, into: Path, sitemap: str | None, prefix: str | None, max_pages: int, delay: float, as_json: bool
) -> None:
    """Fetch a site's health library into a corpus folder (only what changed since the last crawl)."""
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("give an http:// or https:// URL", param_hint="URL")
    settings = Settings(prefix, sitemap, max_pages, delay, progress=sys.stderr.isatty() and not as_json)
    report = crawl(url, into, settings)
    click.echo(json.dumps(asdict(report), indent=2) if as_json else _crawl_summary(report, into))


def _crawl_summary(report: CrawlReport, into: Path) -> str:
    lines = [
        f"Fetched {len(report.fetched)}, unchanged {len(report.unchanged)}, removed {len(report.removed)}, "
        f"skipped {len(report.skipped)} into {into}; {report.bodies} bodies ({report.bytes} bytes) transferred."
    ]
    by_reason: dict[str, list[str]] = {}
    for url, why in report.skipped:
        by_reason.setdefault(why, []).append(url)
    for why, urls in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        more = f" and {len(urls) - 3} more" if len(urls) > 3 else ""
        lines.append(_shown(f"  skipped {len(urls)}, {why}: {', '.join(urls[:3])}{more}"))
    lines += [_shown(f"  removed {url}") for url in report.removed]
    return "\n".join(lines)


@main.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info(index_dir: Path | None, as_json: bool) -> None:
    """Describe the index: articles, fields, sources, when it was built."""
    store = _store(index_dir)
    try:
        ix = store.open()
    except IndexMissing as error:
        raise click.ClickException(str(error)) from error
    manifest = store.manifest()
    articles, fields = ix.doc_count(), sorted(ix.schema.names())
    with ix.searcher() as searcher:
        meaning = semantic_report(searcher)
    ix.close()
    details = {
        "index_dir": str(store.root),
        "articles": articles,
        "generation": store.generation(),
        "built_at": manifest.get("built_at"),
        "fields": fields,
        "sources": {
            root: sum(1 for e in files.values() if "id" in e) for root, files in manifest.get("sources", {}).items()
        },
        "skipped": {
            f"{root}/{rel}": e["error"]
            for root, files in manifest.get("sources", {}).items()
            for rel, e in files.items()
            if "error" in e
        },
        **meaning,
        "lay_terms": lay_terms_source() or "synonym table only",
    }
    if as_json:
        click.echo(json.dumps(details, indent=2))
        return
    click.echo(f"{details['articles']} articles, generation {details['generation']}, built {details['built_at']}")
    click.echo(f"Index: {_shown(details['index_dir'])}")
    for root, count in details["sources"].items():
        click.echo(f"  {count:>6}  {_shown(root)}")
    click.echo(f"Skipped files: {len(details['skipped'])}")
    click.echo("Fields: " + ", ".join(details["fields"]))
    why = details.get("semantic_off_because")
    click.echo(f"Semantic search: off ({why})" if why else f"Semantic search: on ({details['model']})")
    click.echo(f"Lay terms: {details['lay_terms']}")


@main.command(name="search")
@click.argument("query")
@INDEX_OPTION
@click.option("-n", "--limit", default=10, show_default=True, help="How many hits.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def search_command(query: str, index_dir: Path | None, limit: int, as_json: bool) -> None:
    """Search the index from the command line."""
    try:
        with _store(index_dir).open().searcher(weighting=SCORING) as searcher:
            hits = search(searcher, parse_query(query, load_synonyms()), limit=limit)
    except (IndexMissing, QueryError) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps({"query": query, "hits": [asdict(hit) for hit in hits]}, indent=2))
        return
    for rank, hit in enumerate(hits, 1):
        where = f" → {hit.sections[0].heading}" if hit.sections else ""
        click.echo(f"{rank:>3}. {hit.title}{where}  [{hit.id}]  {hit.score:.2f}")
    if not hits:
        click.echo("No articles match.")


@main.command()
@INDEX_OPTION
@click.option("--topics", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TREC run file.")
@click.option(
    "--sections",
    "sections_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write qid<TAB>docid<TAB>section for each topic's top hit.",
)
@click.option("-k", "depth", default=100, show_default=True, help="Hits per topic.")
@click.option("--tag", default="healthsearch", show_default=True, help="Run tag.")
def run(index_dir: Path | None, topics: Path, output: Path, sections_path: Path | None, depth: int, tag: str) -> None:
    """Answer a topics file (qid<TAB>query) as a TREC run, for evaluation."""
    try:
        ix = _store(index_dir).open()
    except IndexMissing as error:
        raise click.ClickException(str(error)) from error
    with ix.searcher(weighting=SCORING) as searcher, open(output, "w") as run_file:
        sections = open(sections_path, "w") if sections_path else None  # noqa: SIM115
        try:
            answered = write_run(searcher, topics, run_file, sections, k=depth, tag=tag)
        finally:
            if sections:
                sections.close()
    click.echo(f"{answered} topics answered -> {output}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@INDEX_OPTION
@click.option("--corpus", type=click.Path(path_type=Path), help="Articles to index when no index exists.")
@click.option("--production", is_flag=True, help="Serve with gunicorn in several worker processes.")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes with --production [HEALTHSEARCH_WORKERS].")
def serve(
    host: str, port: int, index_dir: Path | None, corpus: Path | None, production: bool, workers: int | None
) -> None:
    """Serve search on HOST:PORT, building the index from the corpus first if there is none."""
    app = create_app({"INDEX_DIR": str(index_dir)} if index_dir else None)
    store = IndexStore(app.config["INDEX_DIR"])
    corpus = corpus or Path(app.config["CORPUS_DIR"])
    if not store.exists():
        if not corpus.is_dir():
            raise click.ClickException(_shown(f"no index at {store.root} and no corpus folder at {corpus}"))
        click.echo(f"No index yet: indexing {_shown(str(corpus))} …")
        report = _build(app, [corpus], store, progress=sys.stderr.isatty())
        click.echo(_summary(report, store))
    elif (stale := outdated_sources(store)) is not None:
        sources = stale or ([corpus] if corpus.is_dir() else [])
        if sources:
            names = ", ".join(_shown(str(source)) for source in sources)
            click.echo(f"The index was built by an older version: re-indexing {names} …")
            report = _build(app, sources, store, progress=sys.stderr.isatty())
            click.echo(_summary(report, store))
    click.echo(f"Serving search on http://{host}:{port}/")
    if production:
        os.environ["HEALTHSEARCH_INDEX_DIR"] = str(store.root.resolve())  # the workers build their own apps
        argv = gunicorn_argv(host, port, workers or app.config["WORKERS"])
        sys.stdout.flush()
        os.execv(argv[0], argv)
    app.run(host=host, port=port, request_handler=PrivateRequestHandler)


@main.group()
def staff() -> None:
    """Manage the accounts that may sign in to /staff."""


def _staff_db() -> str:
    return create_app().config["STAFF_DB"]


@staff.command("add")
@click.argument("name")
@click.password_option(help="The password (asked for when not given).")
def staff_add(name: str, password: str) -> None:
    """Add an account, or set a new password for it."""
    try:
        accounts.add(_staff_db(), name, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Account {accounts.check_name(name)} saved.")


@staff.command("remove")
@click.argument("name")
def staff_remove(name: str) -> None:
    """Remove an account; its sessions end at their next request."""
    if not accounts.remove(_staff_db(), name):
        raise click.ClickException(f"no account {name!r}")
    click.echo(f"Account {name} removed.")


@staff.command("list")
def staff_list() -> None:
    """List the accounts."""
    for name, created in accounts.names(_staff_db()):
        click.echo(f"{name}\t{created}")


@main.command()
@INDEX_OPTION
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--report", type=click.Choice(["coverage", "demand", "checklist"]), default="coverage", show_default=True)
@click.argument("topics", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--table", help="With --format csv: which table (default: the report's first).")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 366), help="Demand: the period.")
def audit(index_dir: Path | None, fmt: str, report: str, topics: Path | None, table: str | None, days: int) -> None:
    """Coverage, demand or topic-checklist report, as JSON or CSV (`--report checklist TOPICS.txt`)."""
    app = create_app({"INDEX_DIR": str(index_dir)} if index_dir else None)
    if (report == "checklist") != (topics is not None):
        raise click.UsageError("a TOPICS file goes with --report checklist, and only with it")
    with app.test_request_context():
        try:
            tables = audit_tables(report, topics, days)
        except (IndexMissing, ChecklistError, ValueError) as error:
            raise click.ClickException(str(error)) from error
    if fmt == "json":
        click.echo(json.dumps({"report": report, "tables": {n: t.to_json() for n, t in tables.items()}}, indent=1))
        return
    name = table or next(iter(tables))
    if name not in tables:
        raise click.ClickException(f"--table must be one of: {', '.join(tables)}")
    click.echo(tables[name].to_csv(), nl=False)

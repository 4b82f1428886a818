"""`healthsearch publish`: a generation reaches every replica whole, or none of them moves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.servers import free_port
from indexer.build import build_index
from indexer.publish import PublishError, publish
from indexer.store import DERIVED, IndexStore
from search_app import create_app
from search_app.cli import main
from search_app.prepare import prepare_generation
from tests.conftest import CORPUS

CLI = "from search_app.cli import main; main()"


def served_ids(root: Path) -> set[str]:
    with IndexStore(root).open().searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_every_replica_serves_the_new_generation(tmp_path: Path, index_dir: Path, small_corpus: Path) -> None:
    replicas = [tmp_path / "replica-a", tmp_path / "replica-b"]
    assert publish(IndexStore(index_dir), [str(r) for r in replicas]) == "gen-000001"
    assert all(served_ids(r) == {"acne-scars", "asthma", "conjunctivitis", "gout"} for r in replicas)

    (small_corpus / "gout.html").unlink()
    build_index([small_corpus], IndexStore(index_dir))
    result = CliRunner().invoke(main, ["publish", "--index", str(index_dir), *map(str, replicas)])
    assert result.exit_code == 0 and "2 replica(s) now serve gen-000002" in result.output
    for replica in replicas:
        assert IndexStore(replica).generation() == 2 and "gout" not in served_ids(replica)
        app = create_app({"TESTING": True, "INDEX_DIR": str(replica)})
        assert app.test_client().get("/healthz").get_json()["generation"] == 2


def test_unchanged_files_are_linked_not_copied(tmp_path: Path, index_dir: Path, small_corpus: Path) -> None:
    replica = tmp_path / "replica"
    publish(IndexStore(index_dir), [str(replica)])
    (small_corpus / "extra.html").write_text("<article><h1>Shingles</h1><h2>Symptoms</h2><p>A painful rash.</p>")
    build_index([small_corpus], IndexStore(index_dir))
    publish(IndexStore(index_dir), [str(replica)])
    first, second = replica / "gen-000001", replica / "gen-000002"
    shared = [f.name for f in second.iterdir() if (first / f.name).exists() and f.samefile(first / f.name)]
    assert shared, "an unchanged Whoosh segment should be a hard link to the previous generation's"


def test_a_prepared_generation_is_published_with_its_derived_tables(tmp_path: Path, small_corpus: Path) -> None:
    """What serving derives from a generation is kept in a subfolder of it: replicas get it whole and load it."""
    builder = IndexStore(tmp_path / "builder")
    build_index([small_corpus], builder, prepare=prepare_generation)
    derived = sorted(p.relative_to(builder.current_dir()) for p in (builder.current_dir() / DERIVED).rglob("*.*"))
    assert derived, "preparing a generation keeps its derived tables in it"
    replica = tmp_path / "replica"
    result = CliRunner().invoke(main, ["publish", "--index", str(builder.root), str(replica)])
    assert result.exit_code == 0, result.output
    copy = IndexStore(replica).current_dir()
    assert sorted(p.relative_to(copy) for p in (copy / DERIVED).rglob("*.*")) == derived
    assert publish(builder, [str(replica)]) == copy.name  # published again: already whole there


def test_a_failing_replica_moves_none(tmp_path: Path, index_dir: Path, small_corpus: Path) -> None:
    good = tmp_path / "good"
    publish(IndexStore(index_dir), [str(good)])
    (small_corpus / "gout.html").unlink()
    build_index([small_corpus], IndexStore(index_dir))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a replica folder should be")
    with pytest.raises(PublishError, match="not-a-folder"):
        publish(IndexStore(index_dir), [str(good), str(blocked / "index")])
    assert IndexStore(good).generation() == 1 and "gout" in served_ids(good)
    result = CliRunner().invoke(main, ["publish", "--index", str(index_dir), str(good), str(blocked / "index")])
    assert result.exit_code == 1 and "failed" in result.output and IndexStore(good).generation() == 1


def test_nothing_to_publish_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--index", str(tmp_path / "none"), str(tmp_path / "replica")])
    assert result.exit_code == 1 and "no index" in result.output


def test_a_killed_publish_leaves_the_replica_on_its_generation(tmp_path: Path, small_corpus: Path) -> None:
    """SIGKILL real publishes of a bigger index at moments spread over the copy; the replica always serves whole."""
    source = tmp_path / "source"
    build_index([small_corpus], IndexStore(source))
    replica = tmp_path / "replica"
    publish(IndexStore(source), [str(replica)])
    old_ids = served_ids(replica)
    build_index([CORPUS], IndexStore(source), rebuild=True)
    command = [sys.executable, "-c", CLI, "publish", "--index", str(source), str(replica)]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    whole = time.monotonic() - started
    IndexStore(replica).root.joinpath("CURRENT").write_text("gen-000001\n")  # back to the old one
    for attempt in range(4):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * (attempt + 0.5) / 4)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert served_ids(replica) in (old_ids, served_ids(source)), f"a partial index after a kill {attempt}"
        IndexStore(replica).root.joinpath("CURRENT").write_text("gen-000001\n")
    publish(IndexStore(source), [str(replica)])
    assert served_ids(replica) == served_ids(source)


@pytest.fixture
def rsync_daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real rsync daemon on a loopback port with one writable module: a replica on another machine."""
    module = tmp_path / "remote-replica"
    module.mkdir()
    port = free_port()
    config = tmp_path / "rsyncd.conf"
    config.write_text(
        f"pid file = {tmp_path / 'rsyncd.pid'}\nuse chroot = no\nuid = 0\ngid = 0\n"
        f"[replica]\npath = {module}\nread only = no\n"
    )
    daemon = subprocess.Popen(
        ["rsync", "--daemon", "--no-detach", f"--port={port}", "--address=127.0.0.1", f"--config={config}"]
    )
    try:
        for _ in range(100):
            if subprocess.run(["rsync", f"rsync://127.0.0.1:{port}/"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        yield f"rsync://127.0.0.1:{port}/replica", module
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_a_replica_reached_by_rsync(tmp_path: Path, index_dir: Path, rsync_daemon: tuple[str, Path]) -> None:
    target, folder = rsync_daemon
    local = tmp_path / "local"
    assert publish(IndexStore(index_dir), [str(local), target]) == "gen-000001"
    assert IndexStore(folder).generation() == 1 and served_ids(folder) == served_ids(local)

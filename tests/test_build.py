"""Index builds: incremental by content hash, atomic generations, bad files skipped, kills survived."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.documents import title_variants
from indexer.store import BuildLocked, IndexStore
from tests.conftest import CORPUS, MEDQUAD

BUILD_IN_A_PROCESS = (
    "import sys; from pathlib import Path; from indexer.build import build_index; "
    "from indexer.store import IndexStore; build_index([Path(sys.argv[1])], IndexStore(sys.argv[2]), rebuild=True)"
)
HOLD_THE_LOCK = (
    "import sys, time; from indexer.store import IndexStore\n"
    "with IndexStore(sys.argv[1]).lock():\n    print('locked', flush=True); time.sleep(60)"
)


def article_ids(store: IndexStore) -> set[str]:
    with store.open().searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_first_build_indexes_every_article(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    report = build_index([small_corpus], store)
    assert (report.added, report.updated, report.removed) == (4, 0, 0)
    assert article_ids(store) == {"acne-scars", "asthma", "conjunctivitis", "gout"}
    assert store.generation() == 1


def test_rerun_changes_nothing(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    report = build_index([small_corpus], store)
    assert not report.changed
    assert report.unchanged == 4
    assert store.generation() == 1


def test_editing_one_file_reindexes_one_article(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    page = small_corpus / "gout.html"
    page.write_text(page.read_text().replace("</article>", "<h2>Diet</h2><p>Cherries.</p></article>"))
    report = build_index([small_corpus], store)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 3)
    assert store.generation() == 2
    with store.open().searcher() as searcher:
        assert searcher.document_number(id="gout") is not None
        assert searcher.doc_count() == 4


def test_touching_without_change_keeps_the_index(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    os.utime(small_corpus / "gout.html", ns=(1, 1))
    report = build_index([small_corpus], store)
    assert not report.changed  # the content hash is what decides
    assert store.generation() == 1


def test_deleted_file_is_removed(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    (small_corpus / "asthma.html").unlink()
    report = build_index([small_corpus], store)
    assert report.removed == 1
    assert "asthma" not in article_ids(store)


def test_bad_files_are_skipped_with_reasons(tmp_path: Path, small_corpus: Path) -> None:
    (small_corpus / "empty.html").write_bytes(b"")
    (small_corpus / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    (small_corpus / "huge.html").write_bytes(b"<h1>Huge</h1><p>" + b"word " * 1_100_000)
    store = IndexStore(tmp_path / "ix")
    report = build_index([small_corpus], store)
    reasons = {Path(file).name: reason for file, reason in report.skipped}
    assert reasons["empty.html"] == "empty file"
    assert "binary" in reasons["image.html"]
    assert "too large" in reasons["huge.html"]
    assert article_ids(store) == {"acne-scars", "asthma", "conjunctivitis", "gout"}


def test_a_file_that_turns_bad_leaves_the_index(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    (small_corpus / "gout.html").write_bytes(b"")
    report = build_index([small_corpus], store)
    assert report.removed == 1 and report.skipped
    assert "gout" not in article_ids(store)


def test_sources_not_named_are_kept(tmp_path: Path, small_corpus: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "sunburn.html").write_text("<h1>Sunburn</h1><h2>Treatment</h2><p>Cool the skin.</p>")
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    build_index([other], store)
    assert "sunburn" in article_ids(store) and "gout" in article_ids(store)


def test_duplicate_ids_across_sources_are_skipped(tmp_path: Path, small_corpus: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "gout.html").write_text("<h1>Gout again</h1><p>Same id, other folder.</p>")
    store = IndexStore(tmp_path / "ix")
    report = build_index([small_corpus, other], store)
    assert any("duplicate id 'gout'" in reason for _, reason in report.skipped)
    assert report.articles == 4


def test_rebuild_starts_from_scratch(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    report = build_index([small_corpus], store, rebuild=True)
    assert report.added == 4 and store.generation() == 2


def test_a_second_build_waits_for_none(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    with store.lock(), pytest.raises(BuildLocked):
        build_index([tmp_path], store, lock_wait=0.2)


def test_leftovers_of_a_crashed_build_are_cleaned(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    half_written = store.root / "gen-000002"
    half_written.mkdir()
    (half_written / "half.seg").write_bytes(b"garbage")
    assert article_ids(store) == {"acne-scars", "asthma", "conjunctivitis", "gout"}
    (small_corpus / "gout.html").write_text("<h1>Gout</h1><h2>Treatment</h2><p>Rest the joint.</p>")
    report = build_index([small_corpus], store)
    assert report.updated == 1
    assert store.generation() == 2 and not (half_written / "half.seg").exists()
    assert "gout" in article_ids(store)


def test_killed_build_leaves_previous_index_serving(tmp_path: Path, small_corpus: Path) -> None:
    """SIGKILL a real build while it writes; the old generation keeps answering."""
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    code = (
        "from pathlib import Path; from indexer.build import build_index; from indexer.store import IndexStore; "
        f"build_index([Path({str(MEDQUAD / '2_GARD_QA')!r})], IndexStore({str(store.root)!r}))"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not (store.root / "gen-000002").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (store.root / "gen-000002").exists(), "the build never started writing"
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the build ended before it could be killed"
    assert store.generation() == 1
    assert article_ids(store) == {"acne-scars", "asthma", "conjunctivitis", "gout"}
    report = build_index([small_corpus], store)  # the lock died with the process
    assert not report.changed and store.generation() == 1


def test_build_killed_at_any_point_leaves_a_whole_index(tmp_path: Path, small_corpus: Path) -> None:
    """SIGKILL real rebuilds at random moments spread over a build's life: before the lock, while
    parsing, while writing, around the publish.  Each time a whole index serves — the old one, or the
    new one if the kill came after its publish — and the next build succeeds."""
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    old_ids = article_ids(store)
    bigger = tmp_path / "bigger"
    shutil.copytree(CORPUS, bigger)
    started = time.monotonic()
    assert subprocess.run([sys.executable, "-c", BUILD_IN_A_PROCESS, str(bigger), str(store.root)]).returncode == 0
    whole_build = time.monotonic() - started
    new_ids = article_ids(store)
    assert len(new_ids) == 48
    build_index([small_corpus], store, rebuild=True)
    rng = random.Random(6)
    attempts = 5
    killed = 0
    for attempt in range(attempts):  # stratified: one kill in each fifth of a build's duration
        delay = whole_build * (attempt + rng.random()) / attempts
        for _ in range(4):  # a build that ended first (the machine got faster) is tried again, killed sooner
            process = subprocess.Popen([sys.executable, "-c", BUILD_IN_A_PROCESS, str(bigger), str(store.root)])
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            code = process.wait()
            assert code in (0, -signal.SIGKILL), f"the build failed on its own ({code})"
            assert article_ids(store) in (old_ids, new_ids), f"a partial index after a kill at {delay:.2f} s"
            report = build_index([small_corpus], store, rebuild=True)  # the next build succeeds, every time
            assert report.added == 4 and article_ids(store) == old_ids
            if code == -signal.SIGKILL:
                killed += 1
                break
            delay /= 2
    assert killed >= attempts - 1, "the builds ended before they could be killed"
    report = build_index([bigger], store, rebuild=True)
    assert report.added == 48 and article_ids(store) == new_ids
    generations = sorted(p.name for p in store.root.iterdir() if p.name.startswith("gen-"))
    assert generations[-1] == f"gen-{store.generation():06d}"  # the killed builds' leftovers are gone


def test_a_lock_held_by_a_killed_process_is_recovered(tmp_path: Path, small_corpus: Path) -> None:
    """A real process holds the build lock; builds are refused while it lives and proceed once it is killed."""
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(store.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildLocked):
            build_index([small_corpus], store, rebuild=True, lock_wait=0.3)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
    assert (store.root / ".build.lock").exists()  # the file stays behind; the OS lock died with the process
    report = build_index([small_corpus], store, rebuild=True)
    assert report.added == 4 and store.generation() == 2


def test_full_medquad_index(medquad_index: IndexStore) -> None:
    with medquad_index.open().searcher() as searcher:
        assert searcher.doc_count() == 5490
        assert searcher.document(id="CancerGov_0000013_2_1") is not None
        assert searcher.document(id="GARD_0002079") is None  # no non-empty answer
    skipped = [e for files in medquad_index.manifest()["sources"].values() for e in files.values() if "error" in e]
    assert len(skipped) == 7


def test_medquad_rerun_changes_nothing(medquad_index: IndexStore) -> None:
    report = build_index([MEDQUAD], medquad_index)
    assert not report.changed and report.unchanged == 5490


@pytest.mark.parametrize(
    ("title", "shortened", "other_names"),
    [
        ("Liver (Hepatocellular) Cancer", ["Liver Cancer"], ["Hepatocellular Cancer"]),
        ("Hematuria (Blood in the Urine)", ["Hematuria"], ["Blood in the Urine"]),
        ("Klippel-Trenaunay Syndrome (KTS)", ["Klippel-Trenaunay Syndrome"], ["KTS"]),
        ("Plasma Cell Neoplasms (Including Multiple Myeloma)", ["Plasma Cell Neoplasms"], ["Multiple Myeloma"]),
        ("Kidney Failure: Choosing a Treatment", [], ["Kidney Failure"]),
        ("Celiac Disease (For Health Care Professionals)", ["Celiac Disease"], []),
        ("Acne", [], []),
        ("Odd ( ) title", ["Odd title"], []),
    ],
)
def test_a_title_names_what_its_asides_and_colon_name(title: str, shortened: list[str], other_names: list[str]) -> None:
    assert title_variants(title) == (shortened, other_names)


def descendants(pid: int) -> set[int]:
    """The live processes below `pid`, from /proc (zombies count as gone)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.update(children)
        todo += children
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def outlived(children: set[int], wait: float = 5.0) -> set[int]:
    """The processes of a killed parent still alive after `wait` seconds; killed then, so none lingers."""
    deadline = time.monotonic() + wait
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = {pid for pid in children if alive(pid)}
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    return survivors


def many_medquad_files(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        answer = f"Condition {n} swells the joints and is treated with rest. " * 30
        (folder / f"{n:05d}.xml").write_text(
            f'<Document id="{n}" source="GARD"><Focus>Condition {n}</Focus><QAPairs><QAPair pid="1">'
            f'<Question qtype="information">What is Condition {n}?</Question><Answer>{answer}</Answer>'
            "</QAPair></QAPairs></Document>"
        )
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_killed_build_leaves_no_writer_process_behind(tmp_path: Path, small_corpus: Path) -> None:
    """SIGKILL a real rebuild at several moments after its writer processes start: none of them
    survives it (they held the build lock, refusing every later build), and the next build succeeds."""
    corpus = many_medquad_files(tmp_path / "corpus", 1_000)
    store = IndexStore(tmp_path / "ix")
    command = [sys.executable, "-c", BUILD_IN_A_PROCESS, str(corpus), str(store.root)]
    for delay in (0.0, 0.1, 0.3):
        build = subprocess.Popen(command)
        deadline = time.monotonic() + 60
        while not descendants(build.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        writers = descendants(build.pid)
        build.send_signal(signal.SIGKILL)
        assert build.wait() == -signal.SIGKILL and writers, f"the build ended before a kill {delay} s in"
        assert not outlived(writers), f"writer processes outlived a build killed {delay} s in"
        report = build_index([small_corpus], store, rebuild=True, lock_wait=1)
        assert report.added == 4


TETHERED_CHILD = """
import multiprocessing, os, sys, time
from indexer import writer
if sys.argv[1] == "watch":
    writer._death_signal = lambda signum: False  # as where the kernel cannot be asked
def child(parent):
    writer.tether(parent)
    time.sleep(60)
process = multiprocessing.get_context("fork").Process(target=child, args=(os.getpid(),))
process.start()
print(process.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("how", ["signal", "watch"])
def test_tethered_process_dies_with_its_parent(how: str) -> None:
    """Both ways a writer process is bound to the build: the kernel's death signal, and a watching thread."""
    parent = subprocess.Popen([sys.executable, "-c", TETHERED_CHILD, how], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.stdout.close()
    time.sleep(0.3)
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    survived = outlived({child})
    assert not survived

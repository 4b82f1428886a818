"""The suite keeps to its own folders, and the development server keeps searches out of its output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.servers import free_port
from bench.servers import http_get as get
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import accounts, create_app
from search_app.cli import main
from tests.conftest import CHECKOUT_INSTANCE, REPO, checkout_instance_before, folder_state
from tests.test_staff import PASSWORD, sign_in

CLI = "from search_app.cli import main; main()"


def test_app_defaults_live_in_the_runs_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUERY_LOG", "STAFF_DB", "SECRET_KEY"):
        monkeypatch.delenv(f"HEALTHSEARCH_{name}")
    app = create_app({"TESTING": True})
    paths = [app.instance_path, app.config["INDEX_DIR"], app.config["QUERY_LOG"], app.config["STAFF_DB"]]
    assert all(not Path(path).resolve().is_relative_to(REPO) for path in paths), paths


def test_app_traffic_with_every_default_leaves_the_checkout_instance_untouched(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, small_corpus: Path
) -> None:
    """Searches, clicks, a staff sign-in and a generated secret, all on default paths: none lands in instance/."""
    for name in ("QUERY_LOG", "STAFF_DB", "SECRET_KEY"):
        monkeypatch.delenv(f"HEALTHSEARCH_{name}")
    app = create_app({"TESTING": True})
    build_index([small_corpus], IndexStore(app.config["INDEX_DIR"]))
    accounts.add(app.config["STAFF_DB"], "editor", PASSWORD)
    client = app.test_client()
    assert client.get("/search?q=gout").status_code == 200
    assert client.get("/api/search?q=asthma").get_json()["hits"]
    assert client.get("/go/1/1?to=/articles/gout").status_code == 303
    assert sign_in(client).status_code == 302 and client.get("/staff").status_code == 200
    assert Path(app.instance_path, accounts.SECRET_FILE).exists()  # the secret was generated, in the run's folder
    assert CliRunner().invoke(main, ["search", "gout"]).exit_code == 0  # the command line's default index too
    assert folder_state(CHECKOUT_INSTANCE) == checkout_instance_before(request.config)


def test_development_server_prints_no_query_and_no_client_address(index_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    output = tmp_path / "serve.out"
    with output.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", "--port", str(port), "--index", str(index_dir)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if get(base + "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                server.poll()
                assert server.returncode is None, output.read_text()
                time.sleep(0.1)
            assert get(base + "/search?q=diabetis+test")[0] == 200
            assert get(base + "/api/search?q=hoarse+voice+lately")[0] == 200
            get(base + "/articles/gout?q=secret+words")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=15)
    printed = output.read_text()
    assert "/search" in printed  # the app's JSON request log did run
    for private in ("diabetis", "hoarse", "secret", "q=", "127.0.0.1 -", '"client"'):
        assert private not in printed, printed
    logged = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    assert {record["route"] for record in logged} >= {"/search", "/api/search"}

"""The engine imports no Flask: the web modules call it, never the other way round."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import engine

WEB = ("flask", "werkzeug", "search_app")

# Imports each engine module in turn and names the web packages loaded after each one.
PROBE = """
import importlib, json, sys
web, loaded = sys.argv[1].split(","), {}
for name in sys.argv[2:]:
    importlib.import_module(name)
    loaded[name] = sorted(m for m in web if m in sys.modules)
print(json.dumps(loaded))
"""


def engine_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(engine.__path__, "engine."))


def test_every_engine_module_imports_without_flask() -> None:
    modules = engine_modules()
    assert {"engine.query", "engine.understand", "engine.search", "engine.fusion", "engine.results"} <= set(modules)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(WEB), *modules], capture_output=True, text=True, check=True
    )
    loaded = json.loads(probe.stdout)
    assert list(loaded) == modules
    assert {name: web for name, web in loaded.items() if web} == {}


def test_the_probe_sees_a_web_import() -> None:
    """The same probe names Flask when a module does load it, so the test above can fail."""
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(WEB), "search_app.deadline"], capture_output=True, text=True, check=True
    )
    assert json.loads(probe.stdout) == {"search_app.deadline": ["flask", "search_app", "werkzeug"]}

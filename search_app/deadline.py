"""This request's search budget: the engine's caps, with the app's deadline (SEARCH_DEADLINE_MS)."""

from __future__ import annotations

from flask import current_app

from engine.budget import Budget


def request_budget() -> Budget:
    """This request's budget: the caps of engine.budget, and SEARCH_DEADLINE_MS from now."""
    return Budget.starting_now(float(current_app.config["SEARCH_DEADLINE_MS"]))

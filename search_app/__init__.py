"""The web front end: search pages and the JSON API over the index."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from search_app.config import load_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` overrides every other setting."""
    instance_dir = (test_config or {}).get("INSTANCE_DIR") or os.environ.get("HEALTHSEARCH_INSTANCE_DIR")
    instance_path = os.path.abspath(instance_dir) if instance_dir else None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(load_settings(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from search_app import api, cors, embed, pages, querylog, staff, suggest

    querylog.init_app(app)
    suggest.init_app(app)
    cors.init_app(app)
    app.register_blueprint(embed.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    staff.init_app(app)

    from search_app import errors, headers, health, limits, requestlog

    app.register_blueprint(health.bp)
    errors.init_app(app)
    headers.init_app(app)
    requestlog.init_app(app)
    limits.init_app(app)  # last: it limits the blueprints registered above
    return app

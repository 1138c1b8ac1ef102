"""The module Piccolo's finder imports (`PICCOLO_CONF=backend.db.piccolo_conf`).

Piccolo looks its engine up through a module global. Flowloom never builds an engine at import
time: `backend.db.database.Database` installs its engine here when it opens, so `DB` is None
until then. Nothing in this module reads settings.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB: PostgresEngine | None = None

APP_REGISTRY = AppRegistry(apps=["backend.db.piccolo_app"])

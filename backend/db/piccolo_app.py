"""The single Piccolo app holding every Flowloom table, and where its migrations are found.

The repository keeps the migrations in migrations/flowloom; pyproject.toml maps that folder to the
package `backend.db.migrations`, so a wheel installs them inside Flowloom and an editable install
resolves the same name to the repository's folder. Either way they are found by package, never by
a path relative to this file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from backend.accounts.tables import (
    AccountLink,
    ApiToken,
    AuditEvent,
    Membership,
    OidcFlow,
    Session,
    User,
    UserIdentity,
    Workspace,
)
from backend.costs.tables import Budget
from backend.credentials.tables import Credential
from backend.knowledge.tables import ChunkRow, Collection, Document, DocumentSource
from backend.runs.tables import HumanTask, NodeRun, NodeTest, Run, RunEvent
from backend.triggers.tables import Trigger, TriggerFire
from backend.workflows.tables import Workflow, WorkflowVersion

APP_NAME = "flowloom"
MIGRATIONS_PACKAGE = "backend.db.migrations"
"""The package pyproject.toml maps migrations/flowloom to."""


def _migrations_folder() -> Path:
    folder = Path(str(resources.files(MIGRATIONS_PACKAGE)))
    # Piccolo imports migrations from a folder on disk (it lists it and puts it on sys.path), which
    # a zipped install would not have
    if not folder.is_dir():
        raise FileNotFoundError(f"Flowloom's migrations are not a folder on disk: {folder}")
    return folder


MIGRATIONS_FOLDER = _migrations_folder()

TABLES: tuple[type[Table], ...] = (
    Workspace,
    User,
    Membership,
    ApiToken,
    UserIdentity,
    Session,
    AccountLink,
    OidcFlow,
    AuditEvent,
    Workflow,
    WorkflowVersion,
    Run,
    NodeRun,
    RunEvent,
    HumanTask,
    NodeTest,
    Credential,
    Collection,
    ChunkRow,
    Document,
    DocumentSource,
    Trigger,
    TriggerFire,
    Budget,
)

APP_CONFIG = AppConfig(
    app_name=APP_NAME,
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=list(TABLES),
)

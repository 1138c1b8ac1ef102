"""The single Piccolo app holding every Flowloom table; its migrations live in migrations/flowloom."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from backend.accounts.tables import ApiToken, Membership, User, Workspace
from backend.credentials.tables import Credential
from backend.knowledge.tables import ChunkRow, Collection
from backend.runs.tables import HumanTask, NodeRun, Run, RunEvent
from backend.workflows.tables import Workflow, WorkflowVersion

APP_NAME = "flowloom"
MIGRATIONS_FOLDER = Path(__file__).resolve().parents[2] / "migrations" / APP_NAME

TABLES: tuple[type[Table], ...] = (
    Workspace,
    User,
    Membership,
    ApiToken,
    Workflow,
    WorkflowVersion,
    Run,
    NodeRun,
    RunEvent,
    HumanTask,
    Credential,
    Collection,
    ChunkRow,
)

APP_CONFIG = AppConfig(
    app_name=APP_NAME,
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=list(TABLES),
)

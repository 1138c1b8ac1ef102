"""The composition root's product: every service of one Flowloom process, opened and closed together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio

from backend.accounts.repository import AccountsRepository
from backend.accounts.service import AccountsService
from backend.db.database import Database, DatabaseSetupError
from backend.db.embedded import start_embedded
from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings
from backend.workflows.repository import WorkflowRepository
from backend.workflows.service import WorkflowService

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The services a process serves GraphQL, REST and CLI calls with."""

    settings: Settings
    db: Database
    accounts: AccountsService
    workflows: WorkflowService

    @classmethod
    async def open(cls, settings: Settings, *, migrate: bool | None = None) -> Services:
        """Connect to the database, bring its schema up to date and open the pool.

        `migrate` defaults to True in the embedded mode (this process owns its database) and to
        False with a configured DATABASE_URL, where `flowloom migrate` is an explicit deploy step
        and a stale schema is an error rather than something every replica races to fix.
        """
        dsn = settings.database_url
        if dsn is None:
            dsn = await anyio.to_thread.run_sync(start_embedded, settings.home)
        db = await Database.open(dsn)
        if settings.embedded if migrate is None else migrate:
            applied = await db.migrate()
            if applied:
                log.info("applied migrations %s", ", ".join(applied))
        else:
            pending = await db.pending_migrations()
            if pending:
                raise DatabaseSetupError(
                    f"the database schema is {len(pending)} migration(s) behind: run flowloom migrate"
                )
        await db.start()
        services = cls(
            settings=settings,
            db=db,
            accounts=AccountsService(AccountsRepository()),
            workflows=WorkflowService(WorkflowRepository()),
        )
        await services.accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
        return services

    async def close(self) -> None:
        """Release the pool."""
        await self.db.close()

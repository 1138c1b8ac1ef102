"""The `flowloom` command as a new user runs it: real processes, the embedded PostgreSQL, HTTP."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psutil

from tests.fixtures_data import seed_workflow
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli


def postmaster_pid(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def test_embedded_mode_serves_issues_tokens_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path))
    server = Server(env).wait_ready()
    try:
        postgres = postmaster_pid(tmp_path)
        issued = run_cli("token", "create", env=env)
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip()
        # the CLI joined the server's PostgreSQL rather than starting a second one on the same data
        assert postmaster_pid(tmp_path) == postgres
        assert psutil.pid_exists(postgres)

        created = server.graphql(
            token, operation("CreateWorkflow"), {"input": {"name": "Seed", "definition": seed_workflow()}}
        )
        workflow = created["data"]["createWorkflow"]
        assert workflow["__typename"] == "Workflow"
    finally:
        assert server.stop() == 0, server.output()
    # the last Flowloom process to exit stops the embedded PostgreSQL (raises if it is still up in 10 s)
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(postgres).wait(timeout=10)
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()

    again = Server(env, port=server.port).wait_ready()
    try:
        listed = again.graphql(token, operation("Workflows"))
        nodes = [edge["node"] for edge in listed["data"]["workflows"]["edges"]]
        assert [(node["id"], node["definition"]) for node in nodes] == [(workflow["id"], seed_workflow())]
    finally:
        assert again.stop() == 0


def test_a_server_without_pgvector_gets_one_clear_error_line(tmp_path: Path) -> None:
    # the machine's PostgreSQL 15 on 127.0.0.1:5432 has no pgvector
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path), DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres"
    )

    result = run_cli("migrate", env=env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no pgvector extension" in lines[0]
    assert "install" in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_clear_error_line(tmp_path: Path) -> None:
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path),
        DATABASE_URL="postgresql://postgres:secret@127.0.0.1:1/flowloom",
        FLOWLOOM_SECRET_KEY="k",
    )

    result = run_cli("token", "create", env=env)

    assert result.returncode == 1
    assert result.stderr.startswith(
        "flowloom: error: cannot connect to PostgreSQL at postgresql://postgres:***@"
    )
    assert "secret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_shared_database_without_a_secret_key_is_one_clear_error_line(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), DATABASE_URL="postgresql://postgres@127.0.0.1:1/flowloom")

    result = run_cli("token", "create", env=env)

    assert result.returncode == 1
    assert result.stderr == (
        "flowloom: error: FLOWLOOM_SECRET_KEY is not set: every Flowloom process on a shared database needs "
        "the same key (e.g. openssl rand -base64 32)\n"
    )


def test_export_schema_writes_the_committed_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"

    result = run_cli("export-schema", "-o", str(out), env=flowloom_env(FLOWLOOM_HOME=str(tmp_path)))

    assert result.returncode == 0, result.stderr
    committed = Path(__file__).resolve().parents[2] / "schema.graphql"
    assert out.read_text() == committed.read_text(), "schema.graphql is stale: run make schema"

"""Helpers for run tests: create workflows, start runs, wait for them, read them back."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

from backend.runs.commit_sql import COMMIT_SQL, commit_parameters
from backend.services import Services
from engine.records import Transition
from tests.backend.conftest import GraphQLClient

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


async def create_workflow(gql: GraphQLClient, definition: dict[str, Any], name: str = "Workflow") -> str:
    """Store a workflow and return its id (failing the test on problems)."""
    created = (await gql.run("CreateWorkflow", input={"name": name, "definition": definition}))[
        "createWorkflow"
    ]
    assert created["__typename"] == "Workflow", created
    workflow_id: str = created["id"]
    return workflow_id


async def start_run(gql: GraphQLClient, workflow_id: str, inputs: Any = None) -> dict[str, Any]:
    """The startRun result."""
    result: dict[str, Any] = (await gql.run("StartRun", workflowId=workflow_id, inputs=inputs))["startRun"]
    return result


async def wait_for(
    gql: GraphQLClient, run_id: str, statuses: set[str] | None = None, within: float = 15
) -> dict[str, Any]:
    """Poll until the run reaches one of `statuses` (default: any terminal one); the full Run."""
    wanted = statuses or TERMINAL
    deadline = time.monotonic() + within
    while True:
        status = (await gql.run("RunStatus", id=run_id))["run"]["status"]
        if status in wanted:
            run: dict[str, Any] = (await gql.run("Run", id=run_id))["run"]
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {status} after {within}s"
        await asyncio.sleep(0.02)


async def run_to_end(gql: GraphQLClient, definition: dict[str, Any], inputs: Any = None) -> dict[str, Any]:
    """Create a workflow, run it and return the finished run."""
    started = await start_run(gql, await create_workflow(gql, definition), inputs)
    assert started["__typename"] == "Run", started
    return await wait_for(gql, started["id"])


def node(run: dict[str, Any], node_id: str, iteration: int = 0) -> dict[str, Any]:
    """A node run of a run."""
    for found in run["nodeRuns"]:
        if found["nodeId"] == node_id and found["iteration"] == iteration:
            return dict(found)
    raise AssertionError(f"no node run {node_id}#{iteration} in {[n['nodeId'] for n in run['nodeRuns']]}")


OTHER_PROCESS = UUID("0f0f0f0f-0000-4000-8000-000000000001")
"""A lease owner no process of the test session is: runs it holds are left alone by the session's
executor, as those of another process would be."""


async def hold_as_other_process(services: Services, run_id: UUID) -> None:
    """Take the run's lease for `OTHER_PROCESS`, for an hour (call it right after creating the run:
    the session's reconciler admits unheld runs every 2 s)."""
    async with services.db.pool.acquire() as connection:
        taken = await connection.fetchval(
            "UPDATE runs SET lease_owner = $2, lease_expires_at = now() + interval '1 hour' "
            "WHERE id = $1 AND lease_owner IS NULL RETURNING true",
            run_id,
            OTHER_PROCESS,
        )
    assert taken, f"run {run_id} was taken by the session's executor first"


async def commit_as_other_process(services: Services, transition: Transition) -> None:
    """Commit a transition with the statement every store uses, as the holder `OTHER_PROCESS`."""
    async with services.db.pool.acquire() as connection:
        written = await connection.fetch(COMMIT_SQL, *commit_parameters([transition], OTHER_PROCESS))
    assert [row["id"] for row in written] == [transition.run.id], "the transition was not written"

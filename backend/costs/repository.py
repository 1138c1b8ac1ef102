"""Costs and budgets in PostgreSQL (raw SQL through asyncpg, like stats/ and knowledge/).

Aggregates read the runs of one workspace created in a window through the `runs_listing` index
(workspace_id, created_at), and their node runs by run; days are UTC days. What a run or node run
cost is the generated `cost_usd` column (m0010). A node run's model is read from the workflow
version the run pinned: node runs do not repeat it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from backend.costs.records import BudgetPeriod, BudgetRecord, CostDay, CostWindow, ModelCost
from backend.runs.store import Connection

_WINDOW = (
    "r.workspace_id = $1 AND r.created_at >= $2 AND r.created_at < $3 "
    "AND ($4::uuid IS NULL OR r.workflow_id = $4)"
)

_DAYS_SQL = f"""
SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, sum(r.cost_usd)::float8 AS cost_usd,
       sum(coalesce((r.usage ->> 'input_tokens')::bigint, 0)) AS input_tokens,
       sum(coalesce((r.usage ->> 'output_tokens')::bigint, 0)) AS output_tokens,
       count(*) AS runs
FROM runs r WHERE {_WINDOW}
GROUP BY 1 ORDER BY 1
"""  # noqa: S608 - module constants; every value is a bind parameter

_NODE_SPEC = (
    "jsonb_path_query_first(v.definition, '$.nodes[*] ? (@.id == $id)', jsonb_build_object('id', n.node_id))"
)

_MODELS_SQL = f"""
SELECT day, model, sum(cost_usd)::float8 AS cost_usd, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, bool_or(unpriced) AS unpriced
FROM (
    SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(spec -> 'params' ->> 'model', '(' || coalesce(spec ->> 'type', 'node') || ')') AS model,
           n.cost_usd, coalesce((n.usage ->> 'input_tokens')::bigint, 0) AS input_tokens,
           coalesce((n.usage ->> 'output_tokens')::bigint, 0) AS output_tokens,
           coalesce((n.usage ->> 'unpriced')::boolean, false) AS unpriced
    FROM runs r
    JOIN node_runs n ON n.run_id = r.id
    LEFT JOIN workflow_versions v ON v.workflow_id = r.workflow_id AND v.version = r.version
    CROSS JOIN LATERAL (SELECT {_NODE_SPEC} AS spec) s
    WHERE {_WINDOW} AND n.usage IS NOT NULL
) used
GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2
"""  # noqa: S608 - module constants; every value is a bind parameter

_SPENT = """CASE WHEN b.period = 'RUN' THEN NULL ELSE (
    SELECT coalesce(sum(x.cost_usd), 0) FROM runs x
    WHERE x.workspace_id = b.workspace_id AND (b.workflow_id IS NULL OR x.workflow_id = b.workflow_id)
        AND x.created_at >= date_trunc(lower(b.period), now(), 'UTC')
)::float8 END"""
"""What a day or month budget has counted so far: the cost of the runs created since it began."""

_BUDGET_COLUMNS = f"""b.id, b.workspace_id, b.workflow_id, w.name AS workflow_name, b.run_id, b.period,
    b.limit_usd::float8 AS limit_usd, {_SPENT} AS spent_usd, b.created_at, b.updated_at"""

_LIST_SQL = f"""
SELECT {_BUDGET_COLUMNS}
FROM budgets b LEFT JOIN workflows w ON w.id = b.workflow_id
WHERE b.workspace_id = $1 AND b.run_id IS NULL
ORDER BY b.workflow_id IS NOT NULL, w.name, b.period
"""  # noqa: S608 - module constants; every value is a bind parameter

_UPSERT_SQL = f"""
WITH b AS (
    INSERT INTO budgets (workspace_id, workflow_id, run_id, period, limit_usd)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT ON CONSTRAINT unique_budget DO UPDATE SET limit_usd = EXCLUDED.limit_usd, updated_at = now()
    RETURNING *
)
SELECT {_BUDGET_COLUMNS} FROM b LEFT JOIN workflows w ON w.id = b.workflow_id
"""  # noqa: S608 - module constants; every value is a bind parameter

_APPLYING_SQL = f"""
SELECT {_BUDGET_COLUMNS}, r.cost_usd::float8 AS run_cost_usd
FROM runs r
JOIN budgets b ON b.workspace_id = r.workspace_id
    AND (b.workflow_id IS NULL OR b.workflow_id = r.workflow_id) AND (b.run_id IS NULL OR b.run_id = r.id)
LEFT JOIN workflows w ON w.id = b.workflow_id
WHERE r.id = $1 AND r.workspace_id = $2
ORDER BY b.run_id IS NULL, b.workflow_id IS NULL, b.period
"""  # noqa: S608 - module constants; every value is a bind parameter


def budget_record(row: Mapping[str, Any]) -> BudgetRecord:
    """A BudgetRecord from a row of `_BUDGET_COLUMNS`."""
    return BudgetRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        workflow_id=row["workflow_id"],
        workflow_name=row["workflow_name"],
        run_id=row["run_id"],
        period=BudgetPeriod(row["period"]),
        limit_usd=row["limit_usd"],
        spent_usd=row["spent_usd"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _bounds(window: CostWindow) -> tuple[datetime, datetime]:
    since = datetime.combine(window.since, time(), UTC)
    return since, datetime.combine(window.until, time(), UTC) + timedelta(days=1)


class CostRepository:
    """Reads aggregates from `runs` and `node_runs`; reads and writes `budgets`."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def days(self, window: CostWindow) -> list[CostDay]:
        """Each day of the window that has runs, with its cost by model; one snapshot."""
        since, until = _bounds(window)
        args = (window.workspace_id, since, until, window.workflow_id)
        async with (
            self._pool.acquire() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            days = await connection.fetch(_DAYS_SQL, *args)
            models = await connection.fetch(_MODELS_SQL, *args)
        by_day: dict[Any, list[ModelCost]] = {}
        for row in models:
            by_day.setdefault(row["day"], []).append(
                ModelCost(
                    model=row["model"],
                    cost_usd=row["cost_usd"],
                    input_tokens=row["input_tokens"],
                    output_tokens=row["output_tokens"],
                    unpriced=row["unpriced"],
                )
            )
        return [
            CostDay(
                day=row["day"],
                cost_usd=row["cost_usd"],
                input_tokens=row["input_tokens"],
                output_tokens=row["output_tokens"],
                runs=row["runs"],
                by_model=tuple(by_day.get(row["day"], ())),
            )
            for row in days
        ]

    async def budgets(self, workspace_id: UUID) -> list[BudgetRecord]:
        """The workspace's and its workflows' budgets (not the caps of single runs)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_LIST_SQL, workspace_id)
        return [budget_record(row) for row in rows]

    async def workflow_exists(self, workspace_id: UUID, workflow_id: UUID) -> bool:
        """Whether the workspace has this (not deleted) workflow."""
        async with self._pool.acquire() as connection:
            found = await connection.fetchval(
                "SELECT true FROM workflows WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL",
                workflow_id,
                workspace_id,
            )
        return bool(found)

    async def set(
        self,
        workspace_id: UUID,
        workflow_id: UUID | None,
        run_id: UUID | None,
        period: BudgetPeriod,
        limit_usd: float,
        *,
        connection: Connection | None = None,
    ) -> BudgetRecord:
        """Create the budget of this scope and period, or change its limit (in `connection`'s
        transaction when given)."""
        args = (workspace_id, workflow_id, run_id, period.value, limit_usd)
        if connection is not None:
            row = await connection.fetchrow(_UPSERT_SQL, *args)
        else:
            async with self._pool.acquire() as acquired:
                row = await acquired.fetchrow(_UPSERT_SQL, *args)
        if row is None:  # INSERT … ON CONFLICT DO UPDATE always returns its row
            raise RuntimeError("the budget upsert returned no row")
        return budget_record(row)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection in a transaction, for writes that must land together with a run's."""
        async with self._pool.acquire() as connection, connection.transaction():
            yield connection

    async def delete(self, workspace_id: UUID, budget_id: UUID) -> bool:
        """Delete a budget of the workspace; False when it has none with this id."""
        async with self._pool.acquire() as connection:
            deleted = await connection.fetchval(
                "DELETE FROM budgets WHERE id = $1 AND workspace_id = $2 RETURNING true",
                budget_id,
                workspace_id,
            )
        return bool(deleted)

    async def applying(self, workspace_id: UUID, run_id: UUID) -> tuple[list[BudgetRecord], float]:
        """The budgets that apply to a run (its own first, then its workflow's, then the
        workspace's), with what each counted so far; and what the run has cost as recorded."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_APPLYING_SQL, run_id, workspace_id)
        run_cost = rows[0]["run_cost_usd"] if rows else 0.0
        return [budget_record(row) for row in rows], run_cost

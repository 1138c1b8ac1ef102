"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from backend.gql.api import Api


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up and serving HTTP."""
    return {"status": "ok"}


@get("/readyz")
async def readyz(state: State) -> Response[dict[str, Any]]:
    """The process can do its work: the database answers, and Redis when it is configured."""
    services: Api = state.services
    checks: dict[str, str] = {}
    try:
        async with services.db.pool.acquire() as connection:
            await connection.fetchval("SELECT 1", timeout=2)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    if services.broker.distributed:
        checks["redis"] = "ok" if await services.broker.ping() else "down"
    ready = all(value == "ok" for value in checks.values())
    return Response(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
    )

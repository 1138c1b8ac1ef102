"""The composition root of a worker process (`flowloom worker`): it executes runs from the queue.

A worker gets only what executing runs needs — the database, the broker (run events out, commands
in), credentials for model and embedding providers, and the run runtime (leases, the saq worker,
the host, the reconciler) — and none of the API's services. Its optional health endpoint answers
200 while its heartbeat reaches PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import uvicorn
from litestar import Litestar, Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from backend.accounts.audit import AuditLog
from backend.credentials.crypto import SecretBox, load_secret
from backend.credentials.repository import CredentialRepository
from backend.credentials.service import CredentialService
from backend.db.connect import open_database
from backend.db.database import Database
from backend.live.broker import Broker
from backend.live.control import RunControl
from backend.services import RunRuntime, model_address_policy
from backend.settings import Settings
from backend.telemetry.metrics import metrics_controller
from engine.models import provider_http_client

log = logging.getLogger(__name__)


class WorkerSetupError(Exception):
    """The worker cannot run with these settings; the message says why, on one line."""


@dataclass
class WorkerProcess:
    """Everything one `flowloom worker` process runs."""

    settings: Settings
    db: Database
    broker: Broker
    model_http: httpx2.AsyncClient
    runtime: RunRuntime
    control: RunControl

    @classmethod
    async def open(cls, settings: Settings) -> WorkerProcess:
        """Connect and start executing runs from the queue."""
        if settings.redis_url is None or settings.database_url is None:
            raise WorkerSetupError(
                "flowloom worker needs DATABASE_URL and REDIS_URL; without them flowloom serve executes runs"
            )
        box = SecretBox(load_secret(settings.secret_key, settings.home, embedded=False))
        db = await open_database(settings, migrate=False)
        policy = model_address_policy(settings)
        credentials = CredentialService(CredentialRepository(), box, policy, AuditLog())
        model_http = provider_http_client(policy)
        broker = Broker(settings.redis_url)
        await broker.start()
        runtime = RunRuntime.wire(settings, db, broker, credentials, model_http, execute=True)
        control = RunControl(broker)
        process = cls(settings, db, broker, model_http, runtime, control)
        await runtime.start(db)
        if runtime.host is not None:
            await control.serve(runtime.leases.owner, runtime.host.handle_command)
        log.info(
            "worker %s executing up to %d runs at once", runtime.leases.owner, settings.worker_concurrency
        )
        return process

    def healthy(self) -> tuple[bool, dict[str, Any]]:
        """Whether the heartbeat reached PostgreSQL within a lease, and what the worker is doing."""
        host = self.runtime.host
        age = asyncio.get_running_loop().time() - self.runtime.leases.beat_at
        stopping = host is None or host.stopping
        ok = age < self.settings.lease_seconds and not stopping
        return ok, {
            "status": "ok" if ok else "unavailable",
            "worker": str(self.runtime.leases.owner),
            "executing": 0 if host is None else host.running,
            "heartbeat_age_seconds": round(age, 3),
            "stopping": stopping,
        }

    async def close(self) -> None:
        """Stop taking jobs, let executions finish within the grace period, hand back the rest."""
        await self.control.stop()
        await self.runtime.stop()
        await self.model_http.aclose()
        await self.broker.stop()
        await self.db.close()


def health_app(process: WorkerProcess) -> Litestar:
    """GET /healthz: 200 while the worker's heartbeat is fresh, 503 otherwise; GET /metrics: this
    worker's Prometheus metrics (runs, node attempts, commits it executed)."""

    @get("/healthz", sync_to_thread=False)
    def healthz() -> Response[dict[str, Any]]:
        ok, body = process.healthy()
        return Response(body, status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)

    return Litestar(route_handlers=[healthz, metrics_controller(process.settings.metrics_token)])


class _HealthServer(uvicorn.Server):
    """uvicorn without its signal handlers: the worker's own handle SIGTERM (graceful stop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run_worker(settings: Settings, health_host: str) -> None:
    """Run a worker until SIGTERM or SIGINT, then shut down gracefully."""
    process = await WorkerProcess.open(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    health: uvicorn.Server | None = None
    serving: asyncio.Task[None] | None = None
    if settings.worker_health_port is not None:
        config = uvicorn.Config(
            health_app(process), host=health_host, port=settings.worker_health_port, log_level="warning"
        )
        health = _HealthServer(config)
        serving = loop.create_task(health.serve())
    try:
        await stop.wait()
        log.info("stopping: no new runs; in-flight ones get %g s", settings.shutdown_grace_seconds)
    finally:
        await process.close()
        if health is not None and serving is not None:
            health.should_exit = True
            await serving

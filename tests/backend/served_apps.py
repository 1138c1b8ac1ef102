"""The app over the session's services, served by uvicorn on 127.0.0.1 in the session's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import uvicorn

from backend.app import create_app
from backend.services import Services
from tests.processes import free_port


@asynccontextmanager
async def served(services: Services, **changes: Any) -> AsyncIterator[str]:
    """Serve an app whose settings differ by `changes`; yields its base URL.

    In this loop, not another process: the session's services (and their pool) live here. Litestar's
    lifespan runs, so the app opens and closes its stores as in production.
    """
    app = create_app(replace(services.settings, **changes), services)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it
                    raise RuntimeError("uvicorn exited before it started")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task

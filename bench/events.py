"""Live run events on one API process fed through Redis: latency, gaps, memory per subscription, fan-out.

Set-up: an embedded PostgreSQL, a redis-server, and one `flowloom serve` process (DATABASE_URL +
REDIS_URL), the process whose subscriptions are measured; a fresh one for each figure, so that its
memory growth is that of the subscriptions alone. Events never come from the measured process: this
process (the feeder) commits each event to PostgreSQL with PostgresRunStore (group commit, fsync on)
and then publishes it with BrokerEventSink, as the engine does, at a steady rate per run (with at most
PUBLISHERS publishes in flight: see there). The published copy's `data.t` is the wall-clock time the
commit returned (the stored copy's, when it began), so receipt time minus `t` is commit → receipt.

Clients speak graphql-transport-ws with the `websockets` library straight to the server, 50
subscriptions per connection (the server's limit), from client subprocesses with one asyncio loop
each. N subscriptions watch N/10 runs (10 per run, each on a different connection). Fan-out: 1,000
subscriptions to one run; per event, commit → the last of the 1,000 receipts. Prints one JSON object:

    python -m bench.events [--quick] [--json FILE] [--sizes 100,1000,5000] [--interval 0.5]

`--py-spy DIR` also samples the API process while it is fed (py-spy on PATH; collapsed stacks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import psutil
import uvloop
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from backend.accounts.repository import AccountsRepository
from backend.accounts.service import AccountsService
from backend.db.database import Database
from backend.db.embedded import DATABASE_NAME, get_server
from backend.live import broker as broker_module
from backend.live.broker import Broker
from backend.live.sink import BrokerEventSink
from backend.runs.store import PostgresRunStore
from backend.settings import DEFAULT_WORKSPACE_SLUG
from backend.workflows.repository import WorkflowRepository
from bench.report import emit
from engine.records import EventType, RunEvent, RunRecord, RunStatus, Transition
from tests.processes import FLOWLOOM, flowloom_env, free_port

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBERS_PER_RUN = 10
PER_CONNECTION = 50
"""Subscriptions per websocket: the server's default `max_subscriptions`."""
FANOUT = 1000
FANOUT_INTERVAL = 0.75
"""Seconds between the fan-out run's events: each burst of 1,000 deliveries is over before the next."""
TRANSPORT_WS = Subprotocol("graphql-transport-ws")
TARGET_P99_MS = 50.0
PUBLISHERS = 64
"""Publishes in flight at once from the feeder. The broker's redis-py pool refuses a 101st concurrent
command ("Too many connections") and the message is dropped (subscribers repair it from PostgreSQL a
second later); the feeder stays under that so that what is measured is the API process's fan-out."""
RUN_EVENTS = """subscription ($runId: ID!) {
  runEvents(runId: $runId) { runId seq type nodeId at data }
}"""


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` percentile of `values` (nearest rank), rounded to 0.01."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 2) if ordered else 0.0


# --- the client side (a subprocess: `python -m bench.events --client`, its plan on stdin) ------------


class Tracker:
    """What every subscription of one client process received, checked seq by seq."""

    def __init__(self, runs: Sequence[str]) -> None:
        self.runs = runs
        self.last = [0] * len(runs)
        self.received = [0] * len(runs)
        self.gaps = 0
        self.duplicates = 0
        self.errors: list[str] = []
        self.completed = 0
        self.latencies: list[float] = []
        self.slowest: dict[str, float] = {}
        """Per event (`run:seq`), the latest receipt among this process's subscribers, in ms."""
        self.started = 0
        self.last_receipt = 0.0
        self.all_started = asyncio.Event()
        self.all_completed = asyncio.Event()

    def event(self, index: int, event: dict[str, Any], now: float) -> None:
        """Account for one `next` payload of subscription `index`."""
        seq = event["seq"]
        last = self.last[index]
        self.received[index] += 1
        if seq <= last:
            self.duplicates += 1
            return
        if seq > last + 1:
            self.gaps += seq - last - 1
        self.last[index] = seq
        if seq == 1:
            self.started += 1
            if self.started == len(self.runs):
                self.all_started.set()
            return  # RUN_STARTED, replayed from PostgreSQL: proof the live subscription is in place
        latency = 1000 * (now - event["data"]["t"])
        self.latencies.append(latency)
        self.last_receipt = now
        key = f"{event['runId']}:{seq}"
        self.slowest[key] = max(self.slowest.get(key, 0.0), latency)

    def finish(self, error: str | None = None) -> None:
        """One subscription ended (completed, or with `error`)."""
        if error is not None:
            self.errors.append(error)
        self.completed += 1
        if self.completed == len(self.runs):
            self.all_completed.set()


async def follow(url: str, token: str, tracker: Tracker, indexes: range) -> None:
    """One websocket carrying the subscriptions `indexes` of the tracker, until all complete."""
    decode = msgspec.json.decode
    async with connect(url, subprotocols=[TRANSPORT_WS], max_size=None, ping_interval=None, proxy=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authToken": token}}))
        ack = decode(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        for index in indexes:
            payload = {"query": RUN_EVENTS, "variables": {"runId": tracker.runs[index]}}
            await ws.send(json.dumps({"id": str(index), "type": "subscribe", "payload": payload}))
        open_ = len(indexes)
        async for raw in ws:
            now = time.time()
            message = decode(raw)
            kind = message["type"]
            if kind == "next":
                result = message["payload"]
                if result.get("errors"):
                    tracker.errors.append(json.dumps(result["errors"]))
                else:
                    tracker.event(int(message["id"]), result["data"]["runEvents"], now)
            elif kind in {"complete", "error"}:
                tracker.finish(None if kind == "complete" else json.dumps(message.get("payload")))
                open_ -= 1
                if open_ == 0:
                    return
            elif kind == "ping":
                await ws.send('{"type": "pong"}')


def subscribe_all(url: str, token: str, runs: Sequence[str]) -> tuple[Tracker, list[asyncio.Task[None]]]:
    """Open the subscriptions (run ids, one per subscription), 50 per connection."""
    tracker = Tracker(runs)
    chunks = [range(i, min(i + PER_CONNECTION, len(runs))) for i in range(0, len(runs), PER_CONNECTION)]
    return tracker, [asyncio.create_task(follow(url, token, tracker, chunk)) for chunk in chunks]


async def until(event: asyncio.Event, tasks: Sequence[asyncio.Task[None]], within: float) -> bool:
    """Wait for `event`; give up at the timeout or as soon as a connection fails."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    waiter = asyncio.ensure_future(event.wait())
    pending: set[asyncio.Future[Any]] = {waiter, *tasks}
    while not event.is_set() and loop.time() < deadline:
        done, pending = await asyncio.wait(
            pending, timeout=deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED
        )
        if any(task is not waiter and task.exception() for task in done):
            break
    waiter.cancel()
    return event.is_set()


async def client(plan: dict[str, Any]) -> None:
    """Subscribe, say `ready` once every subscription is live, then report what arrived."""
    tracker, tasks = subscribe_all(plan["url"], plan["token"], plan["runs"])
    ready = await until(tracker.all_started, tasks, plan["ready_within"])
    print(json.dumps({"ready": ready}), flush=True)
    cpu = time.process_time()
    if ready:
        await until(tracker.all_completed, tasks, plan["done_within"])
    for task in tasks:
        task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, Exception)]
    report = {
        "received": sum(tracker.received),
        "completed": tracker.completed,
        "gaps": tracker.gaps,
        "duplicates": tracker.duplicates,
        "errors": (tracker.errors + failures)[:5],
        "cpu_seconds": time.process_time() - cpu,
        "last_receipt": tracker.last_receipt,
        "latencies": [round(value, 3) for value in tracker.latencies],
        "slowest": tracker.slowest,
    }
    print(json.dumps(report), flush=True)


# --- the real parts: PostgreSQL, Redis, the measured API process --------------------------------------


@contextlib.contextmanager
def postgres(root: Path) -> Iterator[str]:
    """An embedded PostgreSQL 18 with a fresh database; deleted afterwards."""
    server = get_server(root / "pgdata", cleanup_mode="delete")
    try:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        yield str(server.get_uri(DATABASE_NAME))
    finally:
        server.cleanup()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def stopping(process: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """Stop `process` (SIGTERM, then SIGKILL) when the block ends, however it ends."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free port; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with stopping(subprocess.Popen(command, stdout=subprocess.DEVNULL)) as process:
        _wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def api_server(env: dict[str, str], log: Path) -> Iterator[tuple[str, psutil.Process]]:
    """A `flowloom serve` process (output in `log`): its websocket URL and its psutil handle."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [FLOWLOOM, "serve", "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    with stopping(process):
        _wait_for_port(port, process, f"flowloom serve (see {log})", timeout=60)
        deadline = time.monotonic() + 30
        while httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code != 200:
            assert time.monotonic() < deadline, f"flowloom serve not ready (see {log})"
            time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}/graphql", psutil.Process(process.pid)


# --- the feeder: commit, then publish, at a steady rate ----------------------------------------------


class LostPublishes(logging.Handler):
    """Counts the broker's "could not publish" warnings: messages subscribers must repair."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count one."""
        self.count += 1


@dataclass
class FeedFigures:
    """How the feeder kept to its plan."""

    started: float
    """Wall-clock time the feed began."""
    runs: int
    events: int
    seconds: float
    commit_ms: list[float]
    lost: int
    """Publishes the broker gave up on (subscribers then repair from PostgreSQL)."""


class Feeder:
    """Commits events to PostgreSQL and publishes them through Redis, as the engine would."""

    def __init__(
        self, store: PostgresRunStore, broker: Broker, workspace_id: UUID, workflow_id: UUID
    ) -> None:
        self._store = store
        self._sink = BrokerEventSink(broker)
        self._workspace_id = workspace_id
        self._workflow_id = workflow_id
        self._publishing = asyncio.Semaphore(PUBLISHERS)
        self.lost = LostPublishes()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, dsn: str, redis_url: str) -> AsyncIterator[tuple[Feeder, str]]:
        """Migrate and seed the database; the feeder and a bearer token of the default workspace."""
        db = await Database.open(dsn)
        await db.migrate()
        await db.start(max_size=8)
        broker = Broker(redis_url)
        await broker.start()
        store = PostgresRunStore(db.pool)
        try:
            accounts = AccountsService(AccountsRepository())
            owner = await accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
            token = (await accounts.create_token(DEFAULT_WORKSPACE_SLUG, "bench")).secret
            definition = {"nodes": [{"id": "n", "type": "template", "params": {"template": "x"}}]}
            workflow = await WorkflowRepository().create(owner.workspace_id, "bench-events", definition)
            feeder = cls(store, broker, owner.workspace_id, workflow.id)
            logger = logging.getLogger(broker_module.__name__)
            logger.addHandler(feeder.lost)
            try:
                yield feeder, token
            finally:
                logger.removeHandler(feeder.lost)
        finally:
            await store.close()
            await broker.stop()
            await db.close()

    def _run(
        self, run_id: UUID, status: RunStatus, last_seq: int, began: datetime, ended: datetime | None = None
    ) -> RunRecord:
        return RunRecord(
            id=run_id,
            workspace_id=self._workspace_id,
            workflow_id=self._workflow_id,
            version=1,
            status=status,
            inputs=None,
            created_at=began,
            last_seq=last_seq,
            started_at=None if status is RunStatus.PENDING else began,
            finished_at=ended,
        )

    async def start_runs(self, count: int) -> list[RunRecord]:
        """`count` RUNNING runs, each with its RUN_STARTED event (seq 1) committed."""

        async def one() -> RunRecord:
            now = datetime.now(UTC)
            pending = self._run(uuid4(), RunStatus.PENDING, 0, now)
            await self._store.create(pending)
            run = self._run(pending.id, RunStatus.RUNNING, 1, now)
            started = RunEvent(run.id, 1, EventType.RUN_STARTED, now, None, {"t": time.time()})
            await self._store.commit(Transition(run, 0, events=(started,)))
            return run

        return list(await asyncio.gather(*(one() for _ in range(count))))

    async def feed(self, runs: Sequence[RunRecord], events: int, interval: float) -> FeedFigures:
        """`events` more events per run (the last RUN_SUCCEEDED), one every `interval` seconds per
        run, the runs' phases spread evenly over the interval."""
        commit_ms: list[float] = []
        loop = asyncio.get_running_loop()
        began, started, lost = loop.time(), time.time(), self.lost.count

        async def one(run: RunRecord, phase: float) -> None:
            for k in range(events):
                await asyncio.sleep(max(0.0, began + phase + k * interval - loop.time()))
                last = k == events - 1
                now = datetime.now(UTC)
                status = RunStatus.SUCCEEDED if last else RunStatus.RUNNING
                after = self._run(run.id, status, run.last_seq + 1, run.created_at, now if last else None)
                kind = (
                    EventType.RUN_SUCCEEDED
                    if last
                    else (EventType.NODE_STARTED if k % 2 == 0 else EventType.NODE_SUCCEEDED)
                )
                node = None if last else f"n{k // 2}"
                committing = time.time()
                stored = RunEvent(run.id, after.last_seq, kind, now, node, {"t": committing})
                await self._store.commit(Transition(after, run.last_seq, events=(stored,)))
                committed = time.time()
                commit_ms.append(1000 * (committed - committing))
                live = RunEvent(run.id, after.last_seq, kind, now, node, {"t": committed})
                async with self._publishing:
                    await self._sink.publish([live], run=after)
                run = after

        await asyncio.gather(*(one(run, i * interval / len(runs)) for i, run in enumerate(runs)))
        seconds = loop.time() - began
        return FeedFigures(started, len(runs), len(commit_ms), seconds, commit_ms, self.lost.count - lost)


# --- one measurement: a fresh API process, its subscriptions, a feed ------------------------------------


@dataclass(frozen=True)
class Setting:
    """Where and what to measure."""

    env: dict[str, str]
    token: str
    log: Path
    client_processes: int
    profile: Path | None = None
    """A directory for py-spy profiles (collapsed stacks) of the API process while it is fed."""


async def start_client(plan: dict[str, Any]) -> asyncio.subprocess.Process:
    """A client subprocess with its plan on stdin."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.events",
        "--client",
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        limit=1 << 28,  # the report carries every latency sample on one line
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(plan).encode())
    await process.stdin.drain()
    process.stdin.close()
    return process


async def line_of(process: asyncio.subprocess.Process, within: float) -> dict[str, Any]:
    """The next JSON line a client prints."""
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), within)
    if not line:
        raise RuntimeError(f"a client process exited ({await process.wait()}) without reporting")
    report: dict[str, Any] = json.loads(line)
    return report


async def warm_up(url: str, token: str, feeder: Feeder) -> None:
    """Replay a finished run to 50 subscribers so first-use costs stay out of the memory baseline."""
    runs = await feeder.start_runs(1)
    await feeder.feed(runs, 1, 0.0)
    tracker, tasks = subscribe_all(url, token, [str(runs[0].id)] * PER_CONNECTION)
    assert await until(tracker.all_completed, tasks, 30), "the warm-up subscriptions did not complete"
    await asyncio.gather(*tasks)


@contextlib.contextmanager
def profiling(directory: Path | None, pid: int, name: str, seconds: float) -> Iterator[None]:
    """With a directory, sample `pid` with py-spy for `seconds` into `directory/name.txt`."""
    if directory is None:
        yield
        return
    binary = shutil.which("py-spy")
    assert binary, "--py-spy needs py-spy on PATH (pip install py-spy)"
    output = directory / f"{name}.txt"
    command = [binary, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "250"]
    command += ["--format", "raw", "--output", str(output), "--nonblocking"]
    with stopping(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)) as spy:
        yield
        spy.wait(timeout=30)


def cpu_seconds(process: psutil.Process) -> float:
    """User plus system CPU time of a process so far."""
    times = process.cpu_times()
    return float(times.user + times.system)


def summary(
    reports: Sequence[dict[str, Any]],
    fed: FeedFigures,
    *,
    per_run: int,
    rss_per_subscription_kb: float,
    api_cpu: float,
) -> tuple[dict[str, Any], dict[str, float]]:
    """The figures of one measurement from the clients' reports, and per event its slowest receipt."""
    subscriptions = fed.runs * per_run
    events_per_run = fed.events // fed.runs
    latencies = [value for report in reports for value in report["latencies"]]
    slowest: dict[str, float] = {}
    for report in reports:
        for key, value in report["slowest"].items():
            slowest[key] = max(slowest.get(key, 0.0), value)
    errors = [error for report in reports for error in report["errors"]]
    # until the last receipt: an overloaded API process delivers long after the feed ended
    window = max(report["last_receipt"] for report in reports) - fed.started
    figures = {
        "runs": fed.runs,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": percentile(latencies, 1.0),
        "events": sum(report["received"] for report in reports),
        "expected_events": subscriptions * (1 + events_per_run),
        "gaps": sum(report["gaps"] for report in reports),
        "duplicates": sum(report["duplicates"] for report in reports),
        "incomplete": subscriptions - sum(report["completed"] for report in reports),
        "rss_per_subscription_kb": round(rss_per_subscription_kb, 2),
        "committed_per_s": round(fed.events / fed.seconds),
        "commit_p50_ms": percentile(fed.commit_ms, 0.5),
        "lost_publishes": fed.lost,
        "offered_deliveries_per_s": round(fed.events * per_run / fed.seconds),
        "delivered_per_s": round(len(latencies) / window),
        "api_cpu_percent": round(100 * api_cpu / window),
        "client_cpu_percent": [round(100 * report["cpu_seconds"] / window) for report in reports],
        **({"errors": errors[:5]} if errors else {}),
    }
    return figures, slowest


async def measure(
    setting: Setting, feeder: Feeder, *, runs: int, per_run: int, events: int, interval: float
) -> tuple[dict[str, Any], dict[str, float]]:
    """Figures for `runs` x `per_run` subscriptions, and per event (`run:seq`) the latency of its last
    receipt."""
    subscriptions = runs * per_run
    with api_server(setting.env, setting.log) as (url, api):
        await warm_up(url, setting.token, feeder)
        records = await feeder.start_runs(runs)
        # subscription k watches run k % runs: a run's subscribers sit on different connections
        ids = [str(records[k % runs].id) for k in range(subscriptions)]
        connections = [ids[i : i + PER_CONNECTION] for i in range(0, subscriptions, PER_CONNECTION)]
        count = min(setting.client_processes, len(connections))
        shares = [[run for chunk in connections[p::count] for run in chunk] for p in range(count)]
        wait = 120 + subscriptions / 50
        timeout = events * interval + 120
        rss_before = api.memory_info().rss
        plans = [
            {"url": url, "token": setting.token, "runs": share, "ready_within": wait, "done_within": timeout}
            for share in shares
        ]
        clients = [await start_client(plan) for plan in plans]
        try:
            readies = await asyncio.gather(*(line_of(client, wait + 10) for client in clients))
            assert all(ready["ready"] for ready in readies), "not every subscription got going"
            await asyncio.sleep(0.5)
            rss_after = api.memory_info().rss
            api_cpu = cpu_seconds(api)
            with profiling(setting.profile, api.pid, f"{runs}x{per_run}", events * interval):
                fed, *reports = await asyncio.gather(
                    feeder.feed(records, events, interval),
                    *(line_of(client, timeout + 10) for client in clients),
                )
            api_cpu = cpu_seconds(api) - api_cpu
        finally:
            for client in clients:
                if client.returncode is None:
                    client.kill()
                await client.wait()
    assert isinstance(fed, FeedFigures)
    rss_kb = (rss_after - rss_before) / subscriptions / 1024
    return summary(reports, fed, per_run=per_run, rss_per_subscription_kb=rss_kb, api_cpu=api_cpu)


# --- the whole benchmark ------------------------------------------------------------------------------


async def bench(args: argparse.Namespace, dsn: str, redis_url: str, home: Path) -> dict[str, Any]:
    """Every figure, as the printed JSON object."""
    sizes = [int(size) for size in args.sizes.split(",")]
    async with Feeder.open(dsn, redis_url) as (feeder, token):
        env = flowloom_env(
            DATABASE_URL=dsn, REDIS_URL=redis_url, FLOWLOOM_SECRET_KEY="bench", FLOWLOOM_HOME=str(home)
        )
        setting = Setting(env, token, home / "serve.log", args.clients, args.py_spy)
        levels: dict[str, Any] = {}
        for size in sizes:
            figures, _ = await measure(
                setting,
                feeder,
                runs=size // SUBSCRIBERS_PER_RUN,
                per_run=SUBSCRIBERS_PER_RUN,
                events=args.events,
                interval=args.interval,
            )
            levels[str(size)] = figures
        fanout, last_receipts = await measure(
            setting, feeder, runs=1, per_run=FANOUT, events=args.fanout_events, interval=FANOUT_INTERVAL
        )
    clean = all(
        level["gaps"] == level["duplicates"] == level["incomplete"] == 0
        and level["events"] == level["expected_events"]
        for level in [*levels.values(), fanout]
    )
    return {
        "benchmark": "events",
        "machine": {"cpus": os.cpu_count()},
        "feed": {
            "subscribers_per_run": SUBSCRIBERS_PER_RUN,
            "events_per_run": 1 + args.events,
            "seconds_between_events_of_a_run": args.interval,
            "subscriptions_per_connection": PER_CONNECTION,
            "client_processes": args.clients,
        },
        "subscriptions": levels,
        "fanout_1000_same_run_ms": {
            "p50": round(statistics.median(last_receipts.values()), 2),
            "max": round(max(last_receipts.values()), 2),
            "events": len(last_receipts),
            "subscriptions": {k: fanout[k] for k in ("p50_ms", "p99_ms", "gaps", "duplicates", "incomplete")},
        },
        "targets": {
            "5000_p99_le_50ms": "5000" in levels and levels["5000"]["p99_ms"] <= TARGET_P99_MS,
            "zero_gaps": clean,
        },
    }


def main() -> None:
    """Start the real parts, measure, print one JSON object."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 subscriptions, short feeds")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("--sizes", help="subscription counts, comma-separated (default 100,1000,5000)")
    parser.add_argument("--events", type=int, help="events per run after RUN_STARTED (default 20; quick 10)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a run's events")
    parser.add_argument("--fanout-events", type=int, help="events of the fan-out run (default 40; quick 20)")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--py-spy", type=Path, help="profile the API process into this directory")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        uvloop.run(client(json.load(sys.stdin)))
        return
    args.sizes = args.sizes or ("100,1000" if args.quick else "100,1000,5000")
    args.events = args.events or (10 if args.quick else 20)
    args.fanout_events = args.fanout_events or (20 if args.quick else 40)

    with (
        tempfile.TemporaryDirectory(prefix="flowloom-bench-events-") as tmp,
        postgres(Path(tmp)) as dsn,
        redis_server() as redis_url,
    ):
        try:
            result = uvloop.run(bench(args, dsn, redis_url, Path(tmp)))
        except BaseException:
            log = Path(tmp) / "serve.log"
            if log.exists():
                sys.stderr.write("".join(log.read_text().splitlines(keepends=True)[-40:]))
            raise
    emit(result, args.json)


if __name__ == "__main__":
    main()

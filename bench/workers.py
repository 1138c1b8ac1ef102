"""Scale-out: runs per second and queue latency with 1, 2 and 4 `flowloom worker` processes.

Real parts, as the distributed tests use them: an embedded PostgreSQL 18, a redis-server, the fake
OpenAI-compatible server (in a process of its own, so its threads share no GIL with the clock that
stamps requests here), one `flowloom serve` API process that executes nothing, and the workers.
The workflow is a chain of 10 llm nodes on `openai-chat:slow-0.02`: each model call answers after
20 ms, so a run needs at least 200 ms of waiting and little CPU, a latency-bound load.

For each worker count (1, 2, 4; in that order in every repetition, so drift on the machine hits them
alike), on emptied run tables and with freshly started workers:

- saturation: BATCH runs started through GraphQL `startRun` as fast as CLIENTS concurrent requests
  allow; runs/s is the batch over (first request sent → last `runs.finished_at`);
- half of saturation: runs started at a steady rate of half that runs/s (paced, not waiting for
  answers) for STEADY seconds.

Queue latency of a run is the wall-clock time from sending its `startRun` request to the `at` of its
first NODE_STARTED event in `run_events` (same machine clock): API admission, the saq queue, the
worker's lease and load of the run. CPU seconds per run by role (workers, api, postgres, redis,
fake model, this process) and the machine's busy fraction during the saturation batch say where
the time goes. Figures are medians over `--runs` repetitions. Prints one JSON object:

    python -m bench.workers [--runs N] [--batch N] [--steady SECONDS] [--concurrency C] [--json FILE]

Worker concurrency (FLOWLOOM_WORKER_CONCURRENCY, default here 2, not the product's 32). Measured
here: a worker spends about 11 ms of CPU per llm node (about 110 ms per run; mostly pydantic-ai's
streamed request, and a new TCP connection per call since the fake closes every streamed response),
and PostgreSQL, the API, Redis and the fake about 30 ms more per run. So the 2-core machine tops out
near 2 s / 140 ms, about 14 runs/s, however many workers there are, and one worker process (at most
one core) near 8 runs/s. A node takes about 45 ms of wall-clock time in a worker (20 ms of model
delay, its CPU, two commits, a connection), so a worker with C runs in flight is latency-bound near
C / (10 x 45 ms), about 2.2 runs/s per run in flight. C = 2 puts one worker near 4.4 runs/s, using
a third of the machine, and two workers near two thirds of it: the largest C at which doubling the
workers can still nearly double the throughput, which is what the 1 → 2 ratio is meant to show.
With C = 4 (or the default 32) one worker is already close to CPU-bound on its own core and the
ratio mostly measures the spare core. 4 workers at C = 2 ask for more than the machine has: their
figure is the machine's ceiling. Workspace admission is set to 1,000 so that the per-workspace limit
(default 32) never caps the batch. `cpu_ms_per_run_other_processes` is busy CPU that none of these
processes used: well above zero, the machine was not idle and the figures are not comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import uvloop

from backend.db.embedded import DATABASE_NAME, get_server  # imported there with its warning silenced
from backend.services import Services
from backend.settings import Settings
from bench.events import stopping
from bench.report import emit
from tests.operations import operation
from tests.processes import Server, Worker, flowloom_env
from tests.redis_server import RedisServer
from tests.servers.openai_fake import DEFAULT_API_KEY, fake_openai
from tests.tenants import new_tenant

WORKER_COUNTS = (1, 2, 4)
NODES = 10
MODEL = "openai-chat:slow-0.02"
CLIENTS = 16
"""startRun requests in flight at once while the saturation batch is started."""
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
TARGET_SCALING = 1.8
TARGET_P99_MS = 50.0


def chain() -> dict[str, Any]:
    """n01 → … → n10, each an llm node whose model answers after 20 ms."""
    ids = [f"n{i:02d}" for i in range(1, NODES + 1)]
    return {
        "nodes": [
            {"id": node, "type": "llm", "params": {"model": MODEL, "prompt": f"Step {node}."}} for node in ids
        ],
        "edges": [{"from": a, "to": b} for a, b in itertools.pairwise(ids)],
    }


# --- the real parts --------------------------------------------------------------------------------


@contextlib.contextmanager
def fake_model_process() -> Iterator[tuple[str, int]]:
    """The fake OpenAI server in a child process: its base URL (`…/v1`) and pid."""
    command = [sys.executable, "-m", "bench.workers", "--fake-openai"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    with stopping(process):
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url:
            raise RuntimeError("the fake OpenAI server did not start")
        yield url, process.pid


def serve_fake_model() -> None:
    """The child side of `fake_model_process`: serve until stdin closes or SIGTERM."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with fake_openai() as fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def redis() -> Iterator[RedisServer]:
    """A throwaway redis-server, killed when the block ends."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.kill()


@contextlib.contextmanager
def postgres(root: Path) -> Iterator[tuple[str, int]]:
    """An embedded PostgreSQL 18 with an empty database: its DSN and postmaster pid; deleted after."""
    server = get_server(root / "pgdata", cleanup_mode="delete")
    try:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        postmaster = server.get_pid()
        if postmaster is None:
            raise RuntimeError("the embedded PostgreSQL is not running")
        yield str(server.get_uri(DATABASE_NAME)), postmaster
    finally:
        server.cleanup()


def halt(process: Server) -> int:
    """Stop a `flowloom` process with SIGTERM (SIGKILL if it takes over a minute); its exit status."""
    try:
        return process.stop(signal.SIGTERM, 60)
    except subprocess.TimeoutExpired:
        process.process.kill()
        return process.stop(signal.SIGKILL)


@contextlib.contextmanager
def workers(env: dict[str, str], count: int) -> Iterator[list[Worker]]:
    """`count` worker processes, ready; stopped (and checked, if the block succeeded) when it ends."""
    started: list[Worker] = []
    try:
        started.extend(Worker(env) for _ in range(count))
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        statuses = [(worker, halt(worker)) for worker in started]
    failed = [worker.output() for worker, status in statuses if status != 0]
    if failed:
        raise RuntimeError(f"a worker exited with an error: {failed[0][-2000:]}")


# --- CPU accounting ----------------------------------------------------------------------------------


@dataclass
class Roles:
    """The processes whose CPU time is counted, by role."""

    pids: dict[str, list[int]]

    def cpu(self) -> dict[str, float]:
        """CPU seconds (user + system) used so far by each role (PostgreSQL: postmaster and backends)."""
        used: dict[str, float] = {}
        for role, pids in self.pids.items():
            total = 0.0
            for pid in pids:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process = psutil.Process(pid)
                    family = [process, *process.children(recursive=True)] if role == "postgres" else [process]
                    for member in family:
                        with contextlib.suppress(psutil.NoSuchProcess):
                            times = member.cpu_times()
                            total += times.user + times.system
            used[role] = total
        return used


# --- the client side ---------------------------------------------------------------------------------


@dataclass
class Api:
    """GraphQL over HTTP to the API process, as one workspace's token."""

    client: httpx.AsyncClient

    async def call(self, name: str, **variables: Any) -> dict[str, Any]:
        """The root field of operation `name`; raises on a GraphQL error."""
        response = await self.client.post("/graphql", json={"query": operation(name), "variables": variables})
        body = response.json()
        if "errors" in body:
            raise RuntimeError(f"{name}: {body['errors']}")
        return dict(next(iter(body["data"].values())))

    async def start_run(self, workflow_id: str) -> tuple[str, float]:
        """Start a run; its id and the wall-clock time the request was sent."""
        sent = time.time()
        run = await self.call("StartRun", workflowId=workflow_id)
        if run["__typename"] != "Run":
            raise RuntimeError(f"startRun: {run}")
        return str(run["id"]), sent


async def start_batch(api: Api, workflow_id: str, count: int) -> dict[str, float]:
    """Start `count` runs as fast as CLIENTS requests in flight allow; send time by run id."""
    sent: dict[str, float] = {}
    remaining = iter(range(count))

    async def client() -> None:
        for _ in remaining:
            run_id, at = await api.start_run(workflow_id)
            sent[run_id] = at

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return sent


async def start_steadily(api: Api, workflow_id: str, rate: float, count: int) -> dict[str, float]:
    """Start `count` runs at `rate` per second, each on time whatever the previous ones take."""
    began = time.monotonic()

    async def one(index: int) -> tuple[str, float]:
        await asyncio.sleep(max(0.0, began + index / rate - time.monotonic()))
        return await api.start_run(workflow_id)

    return dict(await asyncio.gather(*(one(index) for index in range(count))))


async def wait_finished(db: asyncpg.Pool, run_ids: Sequence[str], within: float) -> None:
    """Until every run is terminal; raises if one did not succeed or time ran out."""
    deadline = time.monotonic() + within
    while True:
        rows = await db.fetch(
            "SELECT status, error FROM runs WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])",
            list(run_ids),
            list(TERMINAL),
        )
        if len(rows) == len(run_ids):
            failed = [row for row in rows if row["status"] != "SUCCEEDED"]
            if failed:
                raise RuntimeError(f"{len(failed)} run(s) did not succeed, e.g. {dict(failed[0])}")
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{len(run_ids) - len(rows)} of {len(run_ids)} runs unfinished after {within}s"
            )
        await asyncio.sleep(0.1)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def queue_latencies_ms(db: asyncpg.Pool, sent: dict[str, float]) -> list[float]:
    """Per run: request sent → its first NODE_STARTED event, in milliseconds."""
    rows = await db.fetch(
        "SELECT run_id, min(at) AS first FROM run_events"
        " WHERE run_id = ANY($1::uuid[]) AND type = 'NODE_STARTED' GROUP BY run_id",
        list(sent),
    )
    if len(rows) != len(sent):
        raise RuntimeError(f"{len(sent) - len(rows)} run(s) without a NODE_STARTED event")
    return [1000 * (row["first"].timestamp() - sent[str(row["run_id"])]) for row in rows]


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds."""
    return {"p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99)}


@dataclass
class Bench:
    """What every configuration shares: the API, the workflow, the database, the process roles."""

    api: Api
    workflow_id: str
    db: asyncpg.Pool
    roles: Roles
    batch: int
    steady_seconds: float

    async def configuration(self, count: int) -> dict[str, float]:
        """Saturation and half-saturation figures with `count` workers already running."""
        warm = await start_batch(self.api, self.workflow_id, 4 * count)
        await wait_finished(self.db, list(warm), within=60)

        cpu_before, wall_before = self.roles.cpu(), psutil.cpu_times()
        sent = await start_batch(self.api, self.workflow_id, self.batch)
        await wait_finished(self.db, list(sent), within=300)
        cpu_after, wall_after = self.roles.cpu(), psutil.cpu_times()
        last = await self.db.fetchval(
            "SELECT max(finished_at) FROM runs WHERE id = ANY($1::uuid[])", list(sent)
        )
        elapsed = last.timestamp() - min(sent.values())
        runs_per_s = self.batch / elapsed
        saturated = latency_summary(await queue_latencies_ms(self.db, sent))
        busy = (sum(wall_after) - wall_after.idle - wall_after.iowait) - (
            sum(wall_before) - wall_before.idle - wall_before.iowait
        )
        idle = (wall_after.idle + wall_after.iowait) - (wall_before.idle + wall_before.iowait)

        rate = runs_per_s / 2
        steady = await start_steadily(
            self.api, self.workflow_id, rate, max(16, round(rate * self.steady_seconds))
        )
        await wait_finished(self.db, list(steady), within=120)
        half = latency_summary(await queue_latencies_ms(self.db, steady))

        figures = {
            "runs_per_s": runs_per_s,
            "saturation_seconds": elapsed,
            "queue_p50_ms_at_saturation": saturated["p50_ms"],
            "queue_p99_ms_at_saturation": saturated["p99_ms"],
            "half_saturation_runs_per_s": rate,
            "queue_p50_ms_at_half_saturation": half["p50_ms"],
            "queue_p99_ms_at_half_saturation": half["p99_ms"],
            "machine_busy_fraction_at_saturation": busy / (busy + idle),
        }
        for role, seconds in cpu_after.items():
            figures[f"cpu_ms_per_run_{role}"] = 1000 * (seconds - cpu_before[role]) / self.batch
        # busy CPU none of the roles used: how far from idle the rest of the machine was
        ours = sum(cpu_after.values()) - sum(cpu_before.values())
        figures["cpu_ms_per_run_other_processes"] = 1000 * (busy - ours) / self.batch
        return figures


async def measure(
    args: argparse.Namespace, env: dict[str, str], *, dsn: str, roles: Roles, token: str, model_url: str
) -> dict[str, Any]:
    """Every repetition of every configuration; the medians."""
    samples: dict[int, list[dict[str, float]]] = {count: [] for count in WORKER_COUNTS}
    server = Server(env).wait_ready()
    roles.pids["api"] = [server.process.pid]
    try:
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=CLIENTS * 4, max_keepalive_connections=CLIENTS)
        async with (
            httpx.AsyncClient(base_url=server.url, headers=headers, limits=limits, timeout=60) as client,
            asyncpg.create_pool(dsn, min_size=1, max_size=2) as db,
        ):
            api = Api(client)
            credential = await api.call(
                "SetCredential", input={"provider": "openai", "apiKey": DEFAULT_API_KEY, "baseUrl": model_url}
            )
            if credential["__typename"] != "Credential":
                raise RuntimeError(f"setCredential: {credential}")
            workflow = await api.call("CreateWorkflow", input={"name": "chain", "definition": chain()})
            bench = Bench(api, str(workflow["id"]), db, roles, args.batch, args.steady)
            for _ in range(args.runs):
                for count in WORKER_COUNTS:
                    await db.execute("TRUNCATE runs CASCADE")
                    with workers(env, count) as started:
                        roles.pids["workers"] = [worker.process.pid for worker in started]
                        samples[count].append(await bench.configuration(count))
    finally:
        status = halt(server)
    if status != 0:
        raise RuntimeError(f"flowloom serve exited with an error: {server.output()[-2000:]}")
    return summarise(samples)


def summarise(samples: dict[int, list[dict[str, float]]]) -> dict[str, Any]:
    """Medians per worker count, the scaling ratios and the targets."""
    medians = {
        str(count): {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]}
        for count, runs in samples.items()
    }
    one = medians["1"]["runs_per_s"]
    scaling = round(medians["2"]["runs_per_s"] / one, 3)
    return {
        "workers": medians,
        "runs_per_s_each_repetition": {
            str(count): [round(run["runs_per_s"], 3) for run in runs] for count, runs in samples.items()
        },
        "scaling_2_over_1": scaling,
        "scaling_4_over_1": round(medians["4"]["runs_per_s"] / one, 3),
        "targets": {
            "scaling_2_over_1_at_least": TARGET_SCALING,
            "scaling_met": scaling >= TARGET_SCALING,
            "queue_p99_ms_at_half_saturation_at_most": TARGET_P99_MS,
            "queue_p99_met": {
                count: figures["queue_p99_ms_at_half_saturation"] <= TARGET_P99_MS
                for count, figures in medians.items()
            },
        },
    }


def main() -> None:
    """Start the real parts, measure, print one JSON object."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--batch", type=int, default=100, help="runs of the saturation batch (default 100)")
    parser.add_argument("--steady", type=float, default=6.0, help="seconds at half of saturation (default 6)")
    parser.add_argument("--concurrency", type=int, default=2, help="runs in flight per worker (default 2)")
    parser.add_argument(
        "--quick", action="store_true", help="one repetition, a smaller batch: about a minute"
    )
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("--fake-openai", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.runs, args.batch, args.steady = 1, 40, 3.0
    if args.fake_openai:
        serve_fake_model()
        return
    if args.runs < 1 or args.batch < 1 or args.concurrency < 1:
        parser.error("--runs, --batch and --concurrency must be at least 1")

    load = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="flowloom-bench-workers-") as tmp,
        postgres(Path(tmp)) as (dsn, postmaster),
        redis() as redis_server,
        fake_model_process() as (model_url, fake_pid),
    ):
        env = flowloom_env(
            FLOWLOOM_HOME=tmp,
            DATABASE_URL=dsn,
            REDIS_URL=redis_server.url,
            FLOWLOOM_SECRET_KEY="bench",
            FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1",
            FLOWLOOM_MODEL_ALLOWLIST="127.0.0.1",
            FLOWLOOM_WORKSPACE_CONCURRENCY="1000",
            FLOWLOOM_WORKER_CONCURRENCY=str(args.concurrency),
        )
        token = uvloop.run(_tenant(Settings.from_env(env)))
        redis_pid = _pid_listening_on(redis_server.port)
        roles = Roles(
            {"postgres": [postmaster], "redis": redis_pid, "fake_model": [fake_pid], "bench": [os.getpid()]}
        )
        figures = uvloop.run(measure(args, env, dsn=dsn, roles=roles, token=token, model_url=model_url))
    result = {
        "benchmark": "workers",
        "workflow": f"chain of {NODES} llm nodes, {MODEL}",
        "worker_concurrency": args.concurrency,
        "workspace_concurrency": 1000,
        "batch": args.batch,
        "steady_seconds": args.steady,
        "repetitions": args.runs,
        "cpus": os.cpu_count(),
        "load_average_1m_at_start": round(load, 2),
        **figures,
    }
    emit(result, args.json)


async def _tenant(settings: Settings) -> str:
    """Migrate the fresh database and create a workspace; a token of its owner."""
    services = await Services.open(settings, migrate=True, execute_runs=False)
    try:
        return (await new_tenant(services)).token
    finally:
        await services.close()


def _pid_listening_on(port: int) -> list[int]:
    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
            return [connection.pid] if connection.pid else []
    return []


if __name__ == "__main__":
    main()

"""Command-line start-up: how long each `flowloom` command takes, as a user runs it.

Embedded mode on a throwaway FLOWLOOM_HOME (created and migrated once before measuring). Each
repetition, in the order `make run` and a user meet them:

- `flowloom --help` and `flowloom export-schema`;
- `flowloom migrate` with nothing pending and no server running (it starts and stops the embedded
  PostgreSQL, as the first half of `make run` does);
- `flowloom serve`: from spawning the process to /readyz answering 200 (`restart` = migrate + this,
  a restart of `make run`);
- `flowloom token create` while that server runs on the same home.

Wall-clock medians, plus the median CPU time (user + system) of the short commands, which moves
less than wall-clock time on a shared machine; the load average at the start says how shared.
Prints one JSON object:

    python -m bench.cli [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import emit
from tests.processes import Server, flowloom_env, run_cli

TARGETS = {"help": 0.5, "token_create": 1.5}
"""Wall-clock seconds each command must stay under on the development machine (issue 8)."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and child CPU seconds of `action`."""
    cpu, start = _children_cpu(), time.perf_counter()
    action()
    return time.perf_counter() - start, _children_cpu() - cpu


def command(*args: str, env: dict[str, str]) -> Callable[[], None]:
    """A `flowloom` command that must succeed."""

    def run() -> None:
        result = run_cli(*args, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"flowloom {' '.join(args)} exited {result.returncode}: {result.stderr}")

    return run


def summary(samples: list[tuple[float, float]], *, cpu: bool = True) -> dict[str, float]:
    """Median wall-clock (and CPU) seconds of `samples`."""
    figures = {"wall_s": round(statistics.median(wall for wall, _ in samples), 3)}
    if cpu:
        figures["cpu_s"] = round(statistics.median(used for _, used in samples), 3)
    return figures


def measure(env: dict[str, str], repetitions: int) -> dict[str, list[tuple[float, float]]]:
    """Run every command `repetitions` times; the samples of each."""
    samples: dict[str, list[tuple[float, float]]] = {
        name: [] for name in ("help", "export_schema", "migrate", "serve_ready", "restart", "token_create")
    }
    for _ in range(repetitions):
        samples["help"].append(timed(command("--help", env=env)))
        samples["export_schema"].append(timed(command("export-schema", env=env)))
        migrate = timed(command("migrate", env=env))
        samples["migrate"].append(migrate)
        start = time.perf_counter()
        server = Server(env).wait_ready()
        ready = time.perf_counter() - start
        samples["serve_ready"].append((ready, 0.0))
        samples["restart"].append((migrate[0] + ready, 0.0))
        try:
            for _ in range(2):
                samples["token_create"].append(timed(command("token", "create", env=env)))
        finally:
            if server.stop() != 0:
                raise RuntimeError(f"flowloom serve failed: {server.output()}")
    return samples


def main() -> None:
    """Set up a home, measure, print one JSON object."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args()

    repetitions = 3 if args.quick else 7
    home = Path(tempfile.mkdtemp(prefix="flowloom-bench-cli-"))
    try:
        env = flowloom_env(FLOWLOOM_HOME=str(home))
        load = os.getloadavg()[0]
        command("migrate", env=env)()  # creates the cluster and the schema: not what is measured
        samples = measure(env, repetitions)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    commands = {
        name: summary(values, cpu=name not in {"serve_ready", "restart"}) for name, values in samples.items()
    }
    result: dict[str, Any] = {
        "benchmark": "cli",
        "mode": "embedded",
        "repetitions": repetitions,
        "cpus": os.cpu_count(),
        "load_average_1m": round(load, 2),
        "commands": commands,
        "targets_wall_s": TARGETS,
        "targets_met": all(commands[name]["wall_s"] <= limit for name, limit in TARGETS.items()),
    }
    emit(result, args.json)


if __name__ == "__main__":
    main()

"""Real `flowloom` processes for tests: start, wait until ready, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

import httpx

FLOWLOOM = str(Path(sys.executable).with_name("flowloom"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def flowloom_env(**overrides: str) -> dict[str, str]:
    """The test process's environment without Flowloom settings, plus `overrides`.

    Rate limits are off unless overridden: every test client is 127.0.0.1, and tests (the fuzz test,
    polling helpers) send requests faster than any person would.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLOWLOOM_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(FLOWLOOM_RATE_LIMIT_PER_MINUTE="0", FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE="0")
    env.update(overrides)
    return env


def run_cli(
    *args: str,
    env: Mapping[str, str],
    timeout: float = 60,
    executable: str = FLOWLOOM,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a `flowloom` command (the dev install's unless `executable` says which) to completion."""
    return subprocess.run(
        [executable, *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Server:
    """A `flowloom serve` process on 127.0.0.1."""

    command: tuple[str, ...] = ("serve",)
    port_option = "port"
    ready_path = "/readyz"

    def __init__(
        self,
        env: Mapping[str, str],
        port: int | None = None,
        *,
        executable: str = FLOWLOOM,
        cwd: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: a busy server logs more than a pipe buffers, and a full pipe nobody reads
        # until the end would block the server's event loop on its next log line.
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed by output()
        self.process = subprocess.Popen(
            [executable, *self.command, f"--{self.port_option}", str(self.port)],
            env=dict(env),
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._output: str | None = None

    def wait_ready(self, timeout: float = 60) -> Self:
        """Block until the ready path answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"flowloom {self.command[0]} exited {self.process.returncode}: {self.output()}"
                )
            try:
                if httpx.get(f"{self.url}{self.ready_path}", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"flowloom {self.command[0]} not ready within {timeout}s")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        """Send `sig`, collect the output and return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.output(timeout)
        return self.process.returncode

    def output_so_far(self) -> str:
        """What the running process has printed until now (through a descriptor of its own: reading
        through the shared one would move the offset the server writes at)."""
        with open(f"/proc/self/fd/{self._log.fileno()}", encoding="utf-8") as log:
            return log.read()

    def output(self, timeout: float = 30) -> str:
        """Everything the process printed; waits for it to exit."""
        if self._output is None:
            self.process.wait(timeout=timeout)
            self._log.seek(0)
            self._output = self._log.read()
            self._log.close()
        return self._output

    def graphql(self, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a GraphQL document and return the JSON body (its shape is the document's)."""
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        return body


class Worker(Server):
    """A `flowloom worker` process; `port` is its /healthz port, ready once that answers 200."""

    command = ("worker",)
    port_option = "health-port"
    ready_path = "/healthz"

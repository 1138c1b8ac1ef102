"""Flowloom installed from its wheel, as the Docker image installs it, migrates and serves.

The wheel is built from exactly what the Dockerfile copies into the image, installed into a fresh
virtualenv, and run from a folder outside the repository, so nothing can come from the source tree.
Offline and fast: no build isolation and no dependency resolution; the fresh virtualenv sees the
development virtualenv's dependencies through one path line in a .pth file (a plain path, which does
not activate the development install's own finder for `backend` and `engine`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx
import pytest

from tests.fixtures_data import seed_workflow
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations" / "flowloom"


@dataclass(frozen=True)
class Installation:
    """A wheel of Flowloom installed into a fresh virtualenv."""

    wheel: Path
    python: Path
    flowloom: Path
    site_packages: Path


def docker_build_context(destination: Path) -> Path:
    """Copy what the Dockerfile's COPY lines copy into the image's /app, and nothing else.

    Only the final stage's lines from the build context: the web app's stage and what the final
    stage copies from it (`COPY --from=web`) hold no Python.
    """
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    final_stage = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    for line in lines[final_stage:]:
        words = line.split()
        if words[:1] != ["COPY"] or words[1].startswith("--from="):
            continue
        *sources, target = words[1:]
        for source in sources:
            if len(sources) > 1 or target.endswith("/"):
                copied = destination / target / Path(source).name
            else:
                copied = destination / target
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, copied, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, copied)
    return destination


def check(command: list[str | Path], cwd: Path) -> str:
    """Run a set-up command; its output is the test's failure message when it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory outside the repository (nothing importable from the source tree)."""
    return tmp_path_factory.mktemp("outside")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, outside: Path) -> Installation:
    """Build the wheel from the Docker build context and install it into a fresh virtualenv."""
    root = tmp_path_factory.mktemp("packaging")
    context = docker_build_context(root / "context")
    build = ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(root / "dist")]
    check([sys.executable, "-m", "pip", *build, str(context)], cwd=outside)
    (wheel,) = (root / "dist").glob("flowloom-*.whl")
    venv = root / "venv"
    check([sys.executable, "-m", "venv", "--without-pip", venv], cwd=outside)
    python = venv / "bin" / "python"
    check(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
        outside,
    )
    site_packages = Path(
        check([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], outside).strip()
    )
    (site_packages / "flowloom-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return Installation(
        wheel=wheel, python=python, flowloom=venv / "bin" / "flowloom", site_packages=site_packages
    )


@pytest.fixture
def installed_env(fresh_database: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a deployment on a fresh database, with no path into the source tree."""
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path / "home"), DATABASE_URL=fresh_database, FLOWLOOM_SECRET_KEY="packaged"
    )
    env.pop("PYTHONPATH", None)
    return env


def wheel_files(wheel: Path) -> set[PurePosixPath]:
    with zipfile.ZipFile(wheel) as archive:
        return {PurePosixPath(name) for name in archive.namelist()}


def test_the_installed_package_is_imported_from_the_fresh_virtualenv(
    installed: Installation, outside: Path
) -> None:
    found = check(
        [installed.python, "-c", "import backend, engine; print(backend.__file__); print(engine.__file__)"],
        cwd=outside,
    ).split()

    assert [Path(path).is_relative_to(installed.site_packages) for path in found] == [True, True], found


def test_the_wheel_carries_every_package_and_the_migrations_inside_backend(installed: Installation) -> None:
    files = wheel_files(installed.wheel)
    source_packages = {
        PurePosixPath(init.relative_to(ROOT).parent.as_posix())
        for top in ("backend", "engine")
        for init in (ROOT / top).rglob("__init__.py")
    }
    wheel_packages = {name.parent for name in files if name.name == "__init__.py"}
    migrations = {PurePosixPath("backend/db/migrations") / path.name for path in MIGRATIONS.glob("*.py")}

    assert wheel_packages == source_packages | {PurePosixPath("backend/db/migrations")}
    assert migrations <= files
    assert {name.parts[0] for name in files if not name.parts[0].endswith(".dist-info")} == {
        "backend",
        "engine",
    }


def test_the_installed_package_migrates_a_fresh_database_and_serves_graphql(
    installed: Installation, installed_env: dict[str, str], outside: Path
) -> None:
    flowloom = str(installed.flowloom)

    migrated = run_cli("migrate", env=installed_env, executable=flowloom, cwd=outside)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.startswith(f"applied {len(list(MIGRATIONS.glob('m*.py')))} migration(s): ")

    server = Server(installed_env, executable=flowloom, cwd=outside).wait_ready()
    try:
        issued = run_cli("token", "create", env=installed_env, executable=flowloom, cwd=outside)
        assert issued.returncode == 0, issued.stderr
        created = server.graphql(
            issued.stdout.strip(),
            operation("CreateWorkflow"),
            {"input": {"name": "Packaged", "definition": seed_workflow()}},
        )
        assert created["data"]["createWorkflow"]["__typename"] == "Workflow", created
        # the account pages ship as package data
        assert httpx.get(f"{server.url}/signin", timeout=10).status_code == 200
        assert "/auth/login" in httpx.get(f"{server.url}/auth/pages/account.js", timeout=10).text
    finally:
        assert server.stop() == 0, server.output()

"""Installs are reproducible: every package the code imports is declared, and the lockfiles pin it with hashes.

`make install`, CI and the image install only from `requirements-dev.lock` / `requirements.lock`
(`pip install --require-hashes --no-deps`), so a package that is imported but not declared would
work on a laptop that happens to have it and fail everywhere else.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCAL = {"inmail_studio", "tests", "bench", "scripts", "manage"}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ("Foo_Bar[x]>=1" → "foo-bar")."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


RUNTIME = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
DEV = {_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}


def _imports(folder: str) -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere under folder (lazy imports too) → files importing them."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in LOCAL or top == "__future__":
                    continue
                found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _undeclared(folder: str, allowed: set[str]) -> list[str]:
    owners = importlib.metadata.packages_distributions()
    problems = []
    for module, files in sorted(_imports(folder).items()):
        distributions = {_name(d) for d in owners.get(module, [])}
        if not distributions:
            problems.append(f"{module} (imported by {', '.join(sorted(files))}) is not installed at all")
        elif not distributions & allowed:
            problems.append(
                f"{module} comes from {', '.join(sorted(distributions))}, which pyproject.toml does not declare "
                f"(imported by {', '.join(sorted(files))})"
            )
    return problems


def test_every_package_the_app_imports_is_a_declared_runtime_dependency() -> None:
    assert _undeclared("inmail_studio", RUNTIME) == []


@pytest.mark.parametrize("folder", ["tests", "bench", "scripts"])
def test_every_package_the_tests_benchmarks_and_scripts_import_is_declared(folder: str) -> None:
    assert _undeclared(folder, RUNTIME | DEV) == []


def _pins(lockfile: str) -> dict[str, str]:
    """name → version of every pin in a lockfile, checking that each carries at least one sha256 hash."""
    text = (ROOT / lockfile).read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if not match:
            continue
        assert "--hash=sha256:" in block, f"{lockfile}: {match.group(1)} is pinned without a hash"
        pins[_name(match.group(1))] = match.group(2)
    return pins


def test_the_runtime_lockfile_pins_every_runtime_dependency_with_hashes() -> None:
    pins = _pins("requirements.lock")
    assert set(pins) >= RUNTIME, f"not in requirements.lock: {sorted(RUNTIME - set(pins))}"
    assert not (DEV - RUNTIME) & set(pins), "development tools must not reach the production image"


def test_the_dev_lockfile_pins_every_tool_and_agrees_with_the_runtime_lockfile() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert set(dev) >= RUNTIME | DEV, f"not in requirements-dev.lock: {sorted((RUNTIME | DEV) - set(dev))}"
    disagreeing = {
        name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version
    }
    assert disagreeing == {}, "run `make lock`: the two lockfiles pin different versions"


def test_the_installed_environment_is_the_locked_one() -> None:
    """What the suite runs on is what the lockfile says (a stale .venv would test something else)."""
    dev = _pins("requirements-dev.lock")
    drifted = {}
    for name in sorted(RUNTIME | DEV):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            drifted[name] = ("not installed", dev[name])
            continue
        if installed != dev[name]:
            drifted[name] = (installed, dev[name])
    assert drifted == {}, "run `make install`"

"""The production and development locks pin the same versions of what they share."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)", re.MULTILINE)
NAME = re.compile(r"^[A-Za-z0-9_.\-]+")


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return {package.lower().replace("_", "-"): version for package, version in PIN.findall(text)}


def declared(requirements: list[str]) -> set[str]:
    return {NAME.match(line).group(0).lower().replace("_", "-") for line in requirements}


def test_dev_lock_repeats_every_production_pin():
    production, development = pins("lock.txt"), pins("dev-lock.txt")
    assert production
    mismatched = {
        name: (version, development.get(name))
        for name, version in production.items()
        if development.get(name) != version
    }
    assert mismatched == {}


def test_every_declared_dependency_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert declared(project["dependencies"]) <= set(pins("lock.txt"))
    assert declared(project["optional-dependencies"]["dev"]) <= set(pins("dev-lock.txt"))
    assert not declared(project["optional-dependencies"]["dev"]) & set(pins("lock.txt"))

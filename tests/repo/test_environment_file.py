"""The lock (constraints.txt), pyproject.toml and environment.yml describe one environment."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

LOCK_LINE = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")


def locked() -> dict[str, str]:
    """The lock's exact versions by canonical package name."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = LOCK_LINE.match(line).groups()
            pins[canonicalize_name(name)] = version
    return pins


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [dep for group in project["optional-dependencies"].values() for dep in group]
    return [Requirement(dep) for dep in project["dependencies"] + extras]


def test_every_declared_package_is_locked_inside_its_range():
    pins = locked()
    for requirement in project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared in pyproject.toml but not locked"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt has {requirement.name}=={pins[name]}, outside pyproject.toml's "
            f"{requirement.specifier}"
        )


def test_the_lock_pins_torch_and_nothing_from_cuda():
    """The lock is made on a CPU machine: a CUDA build would drag in nvidia-* packages."""
    pins = locked()
    assert "torch" in pins
    assert not [name for name in pins if name.startswith("nvidia-")]


def test_environment_yml_installs_the_project_through_the_lock():
    pip_lines = [
        line.strip().removeprefix("- ").strip()
        for line in (ROOT / "environment.yml").read_text().splitlines()
        if line.strip().startswith("- ")
    ]
    assert "-c constraints.txt" in pip_lines and "-e ." in pip_lines
    assert not [line for line in pip_lines if "==" in line]  # versions come from the lock only


def test_the_make_targets_install_through_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := constraints.txt" in makefile and "-c $(LOCK)" in makefile

"""environment.yml (conda) and pyproject.toml (pip) name the same packages at the same versions."""

import re
import tomllib

from tests.conftest import ROOT

PIN = re.compile(r"^\s*-\s+([A-Za-z0-9_.\-]+)==(\S+)\s*$")


def test_conda_and_pip_pins_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_pins = dict(dep.split("==") for dep in project["dependencies"])
    conda_pins = dict(
        PIN.match(line).groups()
        for line in (ROOT / "environment.yml").read_text().splitlines()
        if PIN.match(line)
    )
    assert conda_pins == pip_pins


def test_torch_is_pinned_to_the_cpu_wheel_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "torch==2.13.0" in project["dependencies"]

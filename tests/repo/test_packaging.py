"""A wheel of the project carries the whole package: the library and both subpackages."""

import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_a_built_wheel_contains_every_module(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "ngram_helpers", source / "ngram_helpers")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    inside = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    expected = {str(path.relative_to(ROOT)) for path in (ROOT / "ngram_helpers").rglob("*.py")}
    assert expected <= inside, f"missing from the wheel: {sorted(expected - inside)}"

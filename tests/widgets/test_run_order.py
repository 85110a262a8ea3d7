"""A cell run out of order says what to run first (``ngram_helpers.widgets.run_order``)."""

import os
import re

import pytest
from IPython.core.interactiveshell import InteractiveShell

from ngram_helpers.widgets.run_order import HINT, explain_name_errors
from tests.conftest import ROOT

STARTUP = ROOT / "tools" / "kernel_startup.py"


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_a_name_error_is_one_line_and_the_hint(shell, capsys):
    assert explain_name_errors(shell)
    result = shell.run_cell("build_sampler(model)")
    assert isinstance(result.error_in_exec, NameError)  # the cell still fails: Run All stops
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "name 'build_sampler' is not defined" in shown and HINT in shown
    assert "Traceback" not in shown and "<cell line" not in shown


def test_other_errors_keep_their_traceback(shell, capsys):
    explain_name_errors(shell)
    shell.run_cell("1 / 0")
    shown = "".join(capsys.readouterr())
    assert "ZeroDivisionError" in shown and HINT not in shown


def test_outside_ipython_there_is_nothing_to_set_up():
    assert InteractiveShell.initialized() is False
    assert explain_name_errors() is False


def test_the_kernel_spec_runs_the_startup_file():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"--env PYTHONSTARTUP \"\$\(abspath tools/kernel_startup\.py\)\"", makefile)
    assert STARTUP.is_file()


@pytest.mark.slow
def test_a_kernel_started_with_the_file_gives_the_hint_and_no_names():
    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "PYTHONSTARTUP": str(STARTUP), "PYTHONPATH": str(ROOT)}
    manager, client = start_new_kernel(kernel_name="python3", env=env)  # ipykernel's own spec
    seen = []
    try:
        client.execute_interactive(
            "print(sorted(n for n in dir() if not n.startswith('_')))\nsampler",
            output_hook=lambda msg: seen.append(msg["content"]),
            timeout=60,
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel()
    text = "".join(content.get("text", "") for content in seen)
    assert "explain_name_errors" not in text and HINT in text

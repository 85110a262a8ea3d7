"""A real JupyterLab and a real browser, for testing the widgets as a learner meets them.

The ``lab`` fixture starts JupyterLab from this venv on 127.0.0.1 (a free port, a random token,
throw-away config/runtime/work folders) and stops it by its PID afterwards. The ``page`` fixture
drives Debian's ``/usr/bin/chromium`` headless through Playwright (no browser download). Both skip
with a reason when chromium or Playwright is missing. ``run_notebook`` opens a copy of a notebook
with its outputs stripped (stored outputs would satisfy the waits too early), its settings
optionally rewritten (notebook 04 loads a small checkpoint instead of training 50,000 steps), and
runs all cells.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("NGRAM_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
SETTINGS = {
    # Start the notebook's kernel without asking, and keep off-screen cells in the DOM.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
    # No "news" pop-up over the page.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server: its base URL, token and working folder."""

    def __init__(self, url: str, token: str, root: Path) -> None:
        self.url, self.token, self.root = url, token, root

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


@pytest.fixture(scope="session")
def small_checkpoint(tmp_path_factory):
    """A briefly trained reference-shaped model, so notebook 04 can load instead of training."""
    from ngram_helpers.checkpoint import save_checkpoint
    from ngram_helpers.data import load_names
    from ngram_helpers.train import TrainConfig, build_model, model_config_for, train

    data = load_names(ROOT / "datasets" / "names")
    config = TrainConfig(num_steps=300)
    model = build_model(data, model_config_for(data), config)
    history = train(model, data, config, progress=False)
    path = tmp_path_factory.mktemp("checkpoint") / "names-mlp.pt"
    return save_checkpoint(path, model, data, config, history)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright (Python) is not installed")
    base = tmp_path_factory.mktemp("lab")
    config, runtime, root = base / "config", base / "runtime", base / "work"
    for name, value in SETTINGS.items():
        path = config / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    root.mkdir()
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(runtime),
    )
    log = open(base / "lab.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start: {(base / 'lab.log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.3)
        yield Lab(url, token, root)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def stripped_copy(
    notebook: Path, lab: Lab, name: str, settings: dict[str, str] | None = None
) -> str:
    """Copy ``notebook`` into the lab's ``notebooks/`` folder without outputs; return its name.

    ``settings`` sets variables of the notebook's settings cell in the copy: for each name, the
    one line that assigns it (``NAME = ...``, at the start of a line) becomes ``NAME = value``,
    e.g. ``{"LOAD_IF_AVAILABLE": "True"}``. The notebooks find the project's files through
    ``ngram_helpers.files.PROJECT``, so the copy runs from a folder outside the repository.
    """
    nb = nbformat.read(notebook, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code:
        cell.outputs, cell.execution_count = [], None
    for variable, value in (settings or {}).items():
        assigns = [
            (cell, i)
            for cell in code
            for i, line in enumerate(cell.source.splitlines())
            if line.startswith(f"{variable} = ")
        ]
        assert len(assigns) == 1, f"{notebook.name} assigns {variable} {len(assigns)} times"
        cell, i = assigns[0]
        lines = cell.source.splitlines()
        lines[i] = f"{variable} = {value}"
        cell.source = "\n".join(lines)
    folder = lab.root / "notebooks"
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / name)
    return f"notebooks/{name}"


def run_all_cells(page, lab: Lab, relative: str) -> None:
    """Open a notebook in JupyterLab, wait for its kernel, run all cells and wait for them."""
    from playwright.sync_api import expect

    page.goto(lab.notebook_url(relative))
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + 180
    while True:
        texts = prompts.all_inner_texts()
        if texts and all(t.strip().startswith("[") and t.strip()[1:-2].isdigit() for t in texts):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"cells did not finish: {texts}")
        time.sleep(0.5)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path

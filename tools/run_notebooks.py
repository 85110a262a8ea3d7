"""Re-execute notebooks top to bottom and store their outputs without noise (``make notebooks``).

Running unchanged code twice must give an empty ``git diff``, so after execution this script
removes what changes from run to run although the lesson does not:

- per-cell execution timestamps (nbclient is told not to record them);
- the Python patch version in the notebook's metadata (a new Python must not change every file);
- the saved widget state (``metadata.widgets``, ~20 KB of random ids);
- random widget model ids in outputs, replaced by ``widget-1``, ``widget-2``, ... in order;
- elapsed times and rates in tqdm progress bars (``[00:41<00:00, 1214.2step/s]``);
- the text a progress bar showed when it appeared (``0%|  | 0/50000``), replaced by the text of
  its last state (``100%|██████████| 50000/50000``), read from the saved widget state, so that a
  reader of the stored page sees the finished run;
- the points where the kernel happened to split a cell's printed text into several stream
  outputs (it flushes on a timer, so a busy machine splits at random places): consecutive
  stream outputs of the same name are merged into one.

Stored pictures are re-encoded with a 256-colour palette: a third of the bytes, and plots have
few colours, so they look the same (nbval does not compare pictures; the encoding is
deterministic, so unchanged code still gives an empty diff).

Cells that measure time (tagged ``timing``) print different figures on every run. Their stored
outputs are kept as long as the cell's code is unchanged; ``--refresh-timings`` re-measures them.
Such cells are also tagged ``nbval-ignore-output`` so that nbval does not compare them; the
costly ones (seconds of measuring) are tagged ``nbval-skip`` too, so that ``make test`` does not
spend its time on them.

The stored outputs are the CPU's on every machine: the kernels run with ``NGRAM_DEVICE=cpu``
(``ngram_helpers.device``), so a maintainer with a GPU stores what nbval checks everywhere.

Each notebook is written atomically (temporary file, then rename). The Chinese notebooks
(``notebooks/zh/``, built by ``tools/translate.py``) are executed the same way, from their own
folder: their outputs are their own, in Chinese words and with the English edition's numbers.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import io
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image

from ngram_helpers.files import atomic_write

KERNEL = "ngram-helpers"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
TQDM_PARTS = ["HTMLModel", "FloatProgressModel", "HTMLModel"]
TQDM_TIMING = re.compile(r"\[\d+:\d+(?::\d+)?<[^\]]*\]")


def palette_png(encoded: str) -> str:
    """A base64 PNG re-encoded with a 256-colour palette, or as it was if that is not smaller."""
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    if image.mode != "P":
        opaque = Image.new("RGBA", image.size, "white")
        opaque.alpha_composite(image.convert("RGBA"))
        image = opaque.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    smaller = base64.b64encode(buffer.getvalue()).decode("ascii")
    return smaller if len(smaller) < len(encoded) else encoded


def finished_bars(widget_state: dict) -> dict[str, str]:
    """The last text of every tqdm bar in the saved widget state, by the bar's model id.

    A tqdm bar in Jupyter is an HBox of an HTML label (``100%``), a progress bar and an HTML
    label (``50000/50000 [...]``); its text is rebuilt from their final values.
    """
    models = widget_state.get(WIDGET_STATE_MIME, {}).get("state", {})
    bars = {}
    for model_id, model in models.items():
        children = [c.removeprefix("IPY_MODEL_") for c in model["state"].get("children", [])]
        kinds = [models.get(c, {}).get("model_name") for c in children]
        if model.get("model_name") != "HBoxModel" or kinds != TQDM_PARTS:
            continue
        left, progress, right = (models[c]["state"] for c in children)
        filled = round(10 * progress.get("value", 0) / (progress.get("max") or 1))
        bar = "█" * filled + " " * (10 - filled)
        text = html.unescape(f"{left.get('value', '')}|{bar}|{right.get('value', '')}")
        bars[model_id] = TQDM_TIMING.sub("[time]", text)
    return bars


def normalise(nb: nbformat.NotebookNode) -> None:
    """Strip run-to-run noise from an executed notebook, in place."""
    bars = finished_bars(nb.metadata.pop("widgets", {}))
    nb.metadata["kernelspec"] = {
        "name": KERNEL,
        "display_name": "Python (ngram-helpers)",
        "language": "python",
    }
    nb.metadata.get("language_info", {}).pop("version", None)
    ids: dict[str, str] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                model_id = data[WIDGET_MIME]["model_id"]
                if model_id in bars:
                    data["text/plain"] = bars[model_id]
                data[WIDGET_MIME]["model_id"] = ids.setdefault(model_id, f"widget-{len(ids) + 1}")
            if "text/plain" in data:
                data["text/plain"] = TQDM_TIMING.sub("[time]", data["text/plain"])
            if "image/png" in data:
                data["image/png"] = palette_png(data["image/png"])
            if output.get("name") == "stderr":
                output["text"] = TQDM_TIMING.sub("[time]", output["text"])


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs into one, as the reader sees them anyway."""
    merged: list = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and last is not None
            and last.get("output_type") == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def keep_timing_outputs(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> None:
    """Give each unchanged ``timing`` cell of ``new`` the outputs stored in ``old``."""
    stored = {
        cell.source: cell.outputs
        for cell in old.cells
        if cell.cell_type == "code" and "timing" in cell.metadata.get("tags", [])
    }
    for cell in new.cells:
        if cell.cell_type == "code" and cell.source in stored and stored[cell.source]:
            cell.outputs = stored[cell.source]


def run(path: Path, timeout: int, refresh_timings: bool) -> None:
    nb = nbformat.read(path, as_version=4)
    previous = copy.deepcopy(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    if not refresh_timings:
        keep_timing_outputs(previous, nb)
    normalise(nb)
    with atomic_write(path, encoding="utf-8") as f:
        nbformat.write(nb, f)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    parser.add_argument(
        "--refresh-timings", action="store_true", help="re-measure cells tagged 'timing'"
    )
    args = parser.parse_args()
    os.environ["NGRAM_DEVICE"] = "cpu"  # the kernels inherit it: the stored outputs are the CPU's
    for path in args.notebooks:
        print(f"executing {path} ...", flush=True)
        run(path, args.timeout, args.refresh_timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())

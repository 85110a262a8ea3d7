"""Where the tensors live: the CPU, an NVIDIA GPU (``cuda``) or an Apple-silicon GPU (``mps``).

Introduced in notebook 01 (every notebook's first cell prints the device it will use). The rule
is the one most courses use: the first of ``cuda``, ``mps``, ``cpu`` that this machine has, unless
the learner names one, in the environment variable ``NGRAM_DEVICE`` (``NGRAM_DEVICE=cpu make
lab``) or with ``--device`` on the command line. A model is put on the device with
``model.to(device)``; training, evaluation and sampling then put their batches where the model's
parameters are (``model_device``).

The stored notebook outputs are the CPU's. On a GPU the same run gives the same losses to about
four decimals, not digit for digit: PyTorch does not promise bit-equal results across devices
(a GPU sums in a different order, and some of its sums are in a different order every time).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import torch

from ngram_helpers.language import say

DEVICE_VARIABLE = "NGRAM_DEVICE"
KINDS = ("cuda", "mps", "cpu")  # the order pick_device tries them in


class DeviceError(ValueError):
    """A device was asked for that this machine (or this build of PyTorch) does not have."""


def has_device(kind: str) -> bool:
    """Whether this machine, with this build of PyTorch, can put tensors on ``kind``."""
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return torch.backends.mps.is_available()
    return kind == "cpu"


def available_devices() -> list[str]:
    """The kinds of device present, in the order ``pick_device`` prefers them."""
    return [kind for kind in KINDS if has_device(kind)]


def pick_device(requested: str | None = None) -> torch.device:
    """The device to run on: ``requested``, else ``$NGRAM_DEVICE``, else the first available.

    ``requested`` (and the variable) may be ``cuda``, ``cuda:1``, ``mps`` or ``cpu``; ``auto`` or
    an empty value means "the first of cuda, mps, cpu present". A device this machine lacks is a
    ``DeviceError`` saying so in one line.
    """
    source = "--device" if requested else DEVICE_VARIABLE
    name = (requested or os.environ.get(DEVICE_VARIABLE, "")).strip().lower()
    if name in ("", "auto"):
        return torch.device(available_devices()[0])
    try:
        device = torch.device(name)
    except RuntimeError:
        raise DeviceError(
            say(
                f"{source}={name!r} is not a device: use one of {', '.join(KINDS)} or auto",
                f"{source}={name!r} 不是设备：请用 {', '.join(KINDS)} 之一，或 auto",
            )
        ) from None
    if device.type not in KINDS:
        raise DeviceError(
            say(
                f"{source}={name!r}: this series runs on {', '.join(KINDS)} only",
                f"{source}={name!r}：本系列只在 {', '.join(KINDS)} 上运行",
            )
        )
    if not has_device(device.type):
        raise DeviceError(f"{source}={name!r}: {missing_reason(device.type)}")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise DeviceError(
            say(
                f"{source}={name!r}: this machine has {count} CUDA device(s)",
                f"{source}={name!r}：这台机器有 {count} 个 CUDA 设备",
            )
        )
    return device


def missing_reason(kind: str) -> str:
    """Why ``kind`` is not available here, in a few words."""
    if kind == "cuda" and torch.version.cuda is None:
        return say(
            f"this PyTorch ({torch.__version__}) is a CPU-only build",
            f"这个 PyTorch（{torch.__version__}）是只支持 CPU 的版本",
        )
    if kind == "cuda":
        return say(
            "PyTorch sees no NVIDIA GPU (or its driver) on this machine",
            "PyTorch 在这台机器上找不到 NVIDIA GPU（或它的驱动）",
        )
    return say(
        "this machine has no Apple-silicon GPU that PyTorch can use",
        "这台机器没有 PyTorch 能用的 Apple 芯片 GPU",
    )


def model_device(model: torch.nn.Module | object) -> torch.device:
    """The device of ``model``'s parameters; the CPU for a model without any (a count model).

    The lesson's ``MLPRaw`` is not an ``nn.Module`` but lists its parameters the same way.
    """
    parameters: Callable[[], Iterable[torch.Tensor]] | None = getattr(model, "parameters", None)
    first = next(iter(parameters()), None) if parameters is not None else None
    return first.device if first is not None else torch.device("cpu")


def describe_device(device: torch.device, trains_here: bool = True) -> str:
    """One line for a notebook's first cell: the device, and what it means for the run time.

    ``trains_here=False`` is for the notebooks whose models are small enough to stay on the CPU
    (all but notebook 04): the line then says so.
    """
    if device.type == "cpu":
        return say(
            "Device: cpu. Run times are those the README gives, and every number printed is the "
            f"one stored in the notebook. (A GPU is used when present; {DEVICE_VARIABLE}=cpu "
            "keeps the CPU.)",
            "设备：cpu。运行时间与 README 所写的相同，打印出的每个数字都与笔记本中保存的一致。"
            f"（有 GPU 时会用 GPU；设置 {DEVICE_VARIABLE}=cpu 则留在 CPU 上。）",
        )
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        name = say("Apple-silicon GPU", "Apple 芯片 GPU")
    if not trains_here:
        return say(
            f"Device: {device} ({name}) found, but this notebook's models are small and run on "
            "the CPU, so its numbers are the stored ones; notebook 04 trains on the GPU.",
            f"找到设备：{device}（{name}），但本笔记本的模型很小，在 CPU 上运行，所以数字与保存的"
            "一致；笔记本 04 在 GPU 上训练。",
        )
    return say(
        f"Device: {device} ({name}). Training runs there (benchmarks/device_speed.py measures the "
        "speed-up on this machine); printed losses differ from the stored CPU outputs in the "
        "last digits.",
        f"设备：{device}（{name}）。训练在它上面进行（benchmarks/device_speed.py 测量这台机器上的"
        "加速）；打印出的损失与保存的 CPU 输出在最后几位上不同。",
    )

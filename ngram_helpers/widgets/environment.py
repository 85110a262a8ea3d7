"""Checks of the running Jupyter environment, called in the first cell of notebook 01.

Introduced in notebook 01. A notebook's sliders only appear when the JupyterLab front end has the
widget extension, which ships in the ``jupyterlab_widgets`` package. Without it the cells still
run but each widget shows up as a line of text, which is confusing; saying so up front is kinder.
"""

from __future__ import annotations

import importlib

from ngram_helpers.language import say


def missing_widgets() -> str:
    """What to do when the widgets cannot render, in the learner's language and README."""
    return say(
        "Interactive widgets are not available: the package 'jupyterlab_widgets' cannot be "
        "imported in this environment, so sliders will show as plain text. The notebook still "
        "runs and keeps its static pictures. To get the widgets, start JupyterLab from the "
        "project's environment (make lab) or see 'Troubleshooting' in README.md.",
        "交互控件不可用：当前环境里无法导入 'jupyterlab_widgets' 包，所以滑块只会显示成纯文本。"
        "笔记本照样能运行，静态图片也都在。要使用交互控件，请在本项目的环境里启动 "
        "JupyterLab（make lab），或参阅 README.zh-CN.md 的“常见问题”一节。",
    )


def check_widgets_available(verbose: bool = True) -> bool:
    """Return whether ``jupyterlab_widgets`` is importable; if not, print a plain explanation.

    With ``verbose`` (default) a one-line confirmation is printed when the widgets are there, so
    the first cell of a notebook always says what the learner should expect.
    """
    try:
        importlib.import_module("jupyterlab_widgets")
        available = True
    except ImportError:
        available = False
    if not available:
        print(missing_widgets())
    elif verbose:
        print(
            say(
                "Interactive widgets: available (jupyterlab_widgets found).",
                "交互控件：可用（已找到 jupyterlab_widgets）。",
            )
        )
    return available

"""README.zh-CN.md covers every section of README.md.

A section of the English README is a ``## `` or ``### `` heading or a paragraph that opens with a
bold sentence (``**Versions.**``). ``COUNTERPARTS`` names, for each, the text that opens its Chinese
counterpart; a section added to README.md fails here until README.zh-CN.md has it and the mapping
names it.
"""

import re

from tests.conftest import ROOT

ENGLISH = ROOT / "README.md"
CHINESE = ROOT / "README.zh-CN.md"
SECTION = re.compile(r"^###? (.+)$|^\*\*([^*]+\.)\*\*", re.M)
COUNTERPARTS = {
    "Quick start": "## 快速开始",
    "Your own copies.": "**你自己的副本。**",
    "Versions.": "**版本。**",
    "What the first set-up downloads.": "**第一次安装要下载什么。**",
    "GPU.": "**GPU。**",
    "Conda instead of venv.": "### 用 conda 安装",
    "The notebooks": "## 笔记本",
    "From the lesson to the notebooks": "## 从原课程到笔记本",
    "What is in the repository": "## 仓库里有什么",
    "The series as a website": "### 网页版",
    "Command line": "## 命令行",
    "Results": "## 结果",
    "Troubleshooting": "## 常见问题",
    "Credits and licence": "## 致谢与许可",
}


def english_sections() -> list[str]:
    """The titles of README.md's sections, in order."""
    return [a or b for a, b in SECTION.findall(ENGLISH.read_text(encoding="utf-8"))]


def test_sections_are_found():
    assert english_sections()[:2] == ["Quick start", "Your own copies."]


def test_every_english_section_has_a_chinese_counterpart():
    chinese = CHINESE.read_text(encoding="utf-8").splitlines()
    missing = [
        title
        for title in english_sections()
        if not any(line.startswith(COUNTERPARTS.get(title, "\0")) for line in chinese)
    ]
    assert not missing, (
        f"README.md sections without a Chinese counterpart: {missing}; write them in "
        "README.zh-CN.md and name their opening in COUNTERPARTS"
    )


def test_the_chinese_readme_covers_the_download_and_the_chinese_interface():
    chinese = CHINESE.read_text(encoding="utf-8")
    assert "https://download.pytorch.org/whl/cpu" in chinese  # the CPU build of PyTorch
    assert "pip config set global.index-url" in chinese and ".condarc" in chinese  # mirrors
    assert chinese.index("### 用 conda 安装") < chinese.index("### 用 make 安装")  # Windows first
    for readme in (chinese, ENGLISH.read_text(encoding="utf-8")):
        assert "make lab-zh" in readme

"""Build the series as a static HTML book: both editions, from the stored notebooks (`make book`).

Nothing is executed: each page shows the outputs stored in its notebook. The book is built with
Sphinx, MyST-NB and the Sphinx Book Theme (the `book` extra) from a source folder this script
assembles under `_build/book-src/` in the repository's own layout, so every relative link of a
notebook (to `../solutions/...`, to the other edition) resolves in the book too:

- `index.md`: the notebook maps of README.md and README.zh-CN.md, with a table of contents;
- `notebooks/*.ipynb`, `notebooks/zh/*.ipynb`: copies of the stored notebooks, each with one
  markdown cell added on top (a link to the same notebook in the other language, and how to run
  it), and the widget outputs that need a kernel replaced by what a page can show: the name
  sampler of notebook 04 runs in the browser (`book/static/ngram_sampler.js`, from the weights
  `tools/export_sampler.py` writes), notebook 01's decision-boundary explorer looks up the
  settings `tools/export_boundary.py` trained in advance (`book/static/ngram_boundary.js`), and
  the other widgets (and the progress bars) show their stored, finished state;
- `solutions/*.py` (with a page listing them in each language) and the Chinese glossary, which
  the notebooks link to;
- `search_terms.txt`: the glossary's Chinese terms, so that the search finds them whole.

The site needs no network: MathJax is served from the site itself (`make book` fetches the npm
package once into `_build/vendor/`, see the Makefile), and so are the theme's fonts and scripts.

    python tools/build_book.py [--out _build/book] [--mathjax _build/vendor/mathjax]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # export_sampler, when run as a script

SOURCE = ROOT / "_build" / "book-src"
OUT = ROOT / "_build" / "book"
MATHJAX = ROOT / "_build" / "vendor" / "mathjax"
# The code cells whose widget runs on the page instead (notebook 04's name sampler, notebook 01's
# decision-boundary explorer), and the HTML (in book/) that replaces their stored outputs.
LIVE_WIDGETS = {"build_sampler(": "sampler.html", "build_boundary_widget(": "boundary.html"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

HEADER = {
    "en": (
        "[简体中文]({other}) · This page is the stored notebook `{path}`, shown with the outputs "
        "it was saved with. To run it, answer its exercises and have the check cells judge your "
        "answers, clone the repository and run `make lab` (see the README)."
    ),
    "zh": (
        "[English]({other}) · 本页是保存好的笔记本 `{path}`，显示的是它保存时的输出。要运行它、"
        "做练习并让检查单元格判断你的答案，请克隆仓库并运行 `make lab`（见 README）。"
    ),
}
LIVE_NOTE = {
    "sampler.html": {
        "en": "The sampler below runs in your browser, with the trained model's weights.",
        "zh": "下面的采样器直接在浏览器里运行，用的是训练好的模型权重。",
    },
    "boundary.html": {
        "en": "The explorer below shows, for each setting it offers, the model trained in advance "
        "with the widget's own code.",
        "zh": "下面的探索器对它提供的每一种设置，显示用小部件自己的代码事先训练好的模型。",
    },
}


def notebooks() -> list[Path]:
    """The English notebooks, in order (their Chinese editions have the same names)."""
    return sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def section(markdown: str, heading: str) -> str:
    """The body of the `## heading` section of a markdown text (up to the next `## `)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", markdown, re.S | re.M)
    if match is None:
        raise SystemExit(f"README has no section '## {heading}'")
    return match.group(1).strip()


def landing_page() -> str:
    """index.md: the two READMEs' notebook maps and the table of contents."""
    english = section((ROOT / "README.md").read_text(encoding="utf-8"), "The notebooks")
    chinese = section((ROOT / "README.zh-CN.md").read_text(encoding="utf-8"), "笔记本")
    english = english.replace("](solutions/)", "](solutions.md)")
    chinese = chinese.replace("](solutions/)", "](solutions.md)")
    chinese = chinese.replace("](solutions/zh/)", "](solutions-zh.md)")
    names = [nb.stem for nb in notebooks()]
    toc_en = "\n".join(f"notebooks/{name}" for name in names)
    toc_zh = "\n".join(f"notebooks/zh/{name}" for name in names + ["glossary"])
    return (
        "# Neural language models, one notebook at a time\n\n"
        "English · [简体中文](#zh-map). An interactive, tested notebook series on neural language "
        "models, from the multilayer perceptron to the Bengio et al. (2003) neural probabilistic "
        "language model, word embeddings, and a full training run that ends in a name sampler. "
        "These pages show the notebooks as stored, with their outputs; the name sampler of "
        "notebook 04 runs in the browser.\n\n"
        f"## The notebooks\n\n{english}\n\n"
        f"(zh-map)=\n## 笔记本（简体中文）\n\n{chinese}\n\n"
        f"```{{toctree}}\n:caption: English\n:hidden:\n\n{toc_en}\nsolutions\n```\n\n"
        f"```{{toctree}}\n:caption: 简体中文\n:hidden:\n\n{toc_zh}\nsolutions-zh\n```\n"
    )


SOLUTIONS = {
    "en": (
        "solutions",
        "# Worked solutions\n\nThe worked solutions of every notebook's exercises, with the "
        "reasoning. Open them once you have tried.",
    ),
    "zh": (
        "solutions/zh",
        "# 参考解答\n\n每个笔记本全部练习的参考解答，附推理过程"
        "（代码与英文版相同，说明译成了中文）。先自己试过再看。",
    ),
}


def solutions_page(lang: str) -> str:
    """solutions.md or solutions-zh.md: a download link to each worked-solutions file."""
    folder, opening = SOLUTIONS[lang]
    rows = "\n".join(
        f"- [`{path.name}`]({folder}/{path.name})"
        for path in sorted((ROOT / folder).glob("[0-9]*.py"))
    )
    return f"{opening}\n\n{rows}\n"


def glossary_page() -> str:
    """The Chinese glossary, its links to the repository's folders pointed at the book's pages."""
    text = (ROOT / "notebooks/zh/glossary.md").read_text(encoding="utf-8")
    for target in ("../", "../../README.zh-CN.md"):
        if f"]({target})" not in text:
            raise SystemExit(
                f"notebooks/zh/glossary.md no longer links to {target}: update {__file__}"
            )
    text = text.replace("](../)", "](../../index.md)")
    return text.replace("](../../README.zh-CN.md)", "](../../index.md)")


def search_terms() -> str:
    """The glossary's Chinese terms, one per line: the search index cuts Chinese text into words
    with jieba, and this list keeps each term whole ("学习率", not "学习" and "率")."""
    text = (ROOT / "notebooks/zh/glossary.md").read_text(encoding="utf-8")
    terms = []
    for line in text.splitlines()[1:]:
        cells = line.split("|")
        if len(cells) > 2 and re.search(r"[\u4e00-\u9fff]", cells[1]):
            terms += [t.strip() for t in cells[1].split("/") if " " not in t.strip()]
    return "".join(f"{term}\n" for term in terms if term)


def book_notebook(path: Path, lang: str) -> dict:
    """The notebook at ``path`` as the book shows it (see the module docstring)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    other = f"zh/{path.name}" if lang == "en" else f"../{path.name}"
    shown = path.relative_to(ROOT).as_posix()
    header = HEADER[lang].format(other=other, path=shown)
    nb["cells"].insert(
        1, {"id": "book-header", "cell_type": "markdown", "metadata": {}, "source": header}
    )
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for call, template in LIVE_WIDGETS.items():
            if call in "".join(cell["source"]):
                cell["outputs"] = [live_output(cell["outputs"], lang, template)]
    return nb


def live_output(outputs: list[dict], lang: str, template: str) -> dict:
    """A widget cell's outputs replaced by the widget that runs on the page (``template``), with
    what the cell printed kept below it."""
    printed = "".join(
        "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
        for out in outputs
        if out.get("output_type") == "stream"
    )
    stored = (
        f"<details><summary>{'stored output' if lang == 'en' else '保存的输出'}</summary>"
        f"<pre>{printed}</pre></details>"
        if printed
        else ""
    )
    live = (ROOT / "book" / template).read_text(encoding="utf-8").format(lang=lang)
    html = f"<p><em>{LIVE_NOTE[template][lang]}</em></p>{live}{stored}"
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file holds it already (Sphinx then skips the unchanged page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def copy_if_changed(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copy2(src, dst)


def assemble_source(source: Path) -> None:
    """Fill ``source`` with the pages and the files they link to (see the module docstring)."""
    write_if_changed(source / "index.md", landing_page())
    write_if_changed(source / "solutions.md", solutions_page("en"))
    write_if_changed(source / "solutions-zh.md", solutions_page("zh"))
    write_if_changed(source / "search_terms.txt", search_terms())
    for path in sorted((ROOT / "solutions").rglob("[0-9]*.py")):  # and their translations
        copy_if_changed(path, source / path.relative_to(ROOT))
    write_if_changed(source / "notebooks/zh/glossary.md", glossary_page())
    for english in notebooks():
        for lang, path in (("en", english), ("zh", english.parent / "zh" / english.name)):
            nb = book_notebook(path, lang)
            text = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
            write_if_changed(source / path.relative_to(ROOT), text)


def build(out: Path, mathjax: Path, exports: list[Path]) -> float:
    """Assemble the source and run Sphinx; the seconds it took."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        raise SystemExit(
            "Sphinx is missing: run `make book` (it installs the `book` extra)"
        ) from None

    if not (mathjax / "tex-chtml.js").exists():
        raise SystemExit(f"{mathjax}/tex-chtml.js is missing: run `make book` (it fetches MathJax)")
    start = time.perf_counter()
    assemble_source(SOURCE)
    static = SOURCE / "_static"
    for export in exports:
        copy_if_changed(export, static / export.name)
    if not (static / "mathjax").exists():
        shutil.copytree(mathjax, static / "mathjax")
    status = build_main(["-q", "-b", "html", "-c", str(ROOT / "book"), str(SOURCE), str(out)])
    if status:
        raise SystemExit(f"sphinx-build failed (exit status {status})")
    (out / ".nojekyll").touch()  # GitHub Pages: serve the folders whose names start with _
    for source_map in (out / "_static").rglob("*.map"):  # the theme's, for its developers only
        source_map.unlink()
    return time.perf_counter() - start


def site_size(out: Path) -> int:
    """Bytes of the built site (the doctrees Sphinx keeps for the next build excluded)."""
    return sum(
        p.stat().st_size for p in out.rglob("*") if p.is_file() and ".doctrees" not in p.parts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the site goes")
    parser.add_argument("--mathjax", type=Path, default=MATHJAX, help="MathJax's es5 folder")
    args = parser.parse_args(argv)
    import export_boundary
    import export_sampler

    start = time.perf_counter()
    exports = [export_sampler.export_default(), export_boundary.export_default()]
    export_seconds = time.perf_counter() - start
    seconds = build(args.out, args.mathjax, exports)
    size = site_size(args.out)
    print(
        f"book built in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
        f": {export_seconds:.1f} s for the widgets' data, {seconds:.1f} s for the pages; "
        f"{size / 1e6:.1f} MB; open {args.out / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The glossary's "first appears in" column is the one tools/glossary.py reads off the notebooks."""

from tools import glossary


def test_first_appearance_column_is_current():
    text = glossary.GLOSSARY.read_text(encoding="utf-8")
    assert text == glossary.with_column(text, glossary.notebook_prose()), (
        "notebooks/zh/glossary.md's 首次出现 column is stale: run python tools/glossary.py"
    )


def test_every_term_is_used_by_a_notebook():
    rows = glossary.GLOSSARY.read_text(encoding="utf-8").splitlines()
    unused = [row for row in rows if row.endswith(f"| {glossary.NOWHERE} |")]
    assert not unused, f"glossary rows that no notebook uses (with the column current): {unused}"


def test_a_term_is_found_in_its_own_sense_only():
    prose = [("01", "提示：先想一想。它是 ReLU 的一个平滑版本。"), ("04", "从提示 开始")]
    assert glossary.first_appearance(["提示"], prose) == "04"
    assert glossary.first_appearance(["平滑"], prose) == glossary.NOWHERE
    assert glossary.HIDDEN.sub(" ", "`负采样` $负采样$ $$负采样$$").split() == []  # code and math

"""The learner's working copy (tools/workspace.py): made once, refreshed without losing edits.

Every test works on a small course made in ``tmp_path`` (the same layout as the repository), never
on the real ``workspace/``.
"""

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools import workspace
from tools.workspace import MANIFEST, beside, course_files, create, refresh, run, status

COURSE = {
    "notebooks/01_a.ipynb": '{"cells": ["one"]}\n',
    "notebooks/02_b.ipynb": '{"cells": ["two"]}\n',
    "notebooks/zh/01_a.ipynb": '{"cells": ["一"]}\n',
    "notebooks/zh/glossary.md": "| en | zh |\n",
    "solutions/01_a.py": "answer = 1\n",
}
# in the course's folders, but not the learner's to have: translations, drafts, caches
NOT_COPIED = [
    "notebooks/zh/translations/01_a.md",
    "notebooks/draft.ipynb",
    "solutions/__pycache__/01_a.pyc",
    "README.md",
]


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (dot files included) and its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    write(folder, COURSE | dict.fromkeys(NOT_COPIED, "x"))
    return folder


@pytest.fixture
def ws(tmp_path, course):
    """A working copy made from ``course``."""
    folder = tmp_path / "workspace"
    assert create(course, folder)
    return folder


def test_the_course_is_the_notebooks_of_both_editions_the_glossary_and_the_solutions(course):
    assert course_files(course) == sorted(COURSE)
    assert workspace.copied_folders() == ("notebooks", "notebooks/zh", "solutions", "solutions/zh")


def test_the_real_course_has_every_notebook_and_solution():
    files = course_files(ROOT)
    patterns = (
        "notebooks/*.ipynb",
        "notebooks/zh/*.ipynb",
        "solutions/[0-9]*.py",
        "solutions/zh/[0-9]*.py",
    )
    for pattern in patterns:
        expected = {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)}
        assert expected and expected <= set(files), pattern


def test_create_copies_every_course_file_in_the_same_layout(course, ws):
    copied = snapshot(ws)
    assert copied.pop(MANIFEST)
    assert copied == {name: text.encode() for name, text in COURSE.items()}
    assert not list(ws.parent.glob(".workspace-*")), "the temporary folder is left behind"


def test_a_second_create_changes_nothing(course, ws):
    (ws / "notebooks/01_a.ipynb").write_text("my edits")
    (ws / "solutions/01_a.py").unlink()
    before = snapshot(ws)
    write(course, {"notebooks/01_a.ipynb": "course v2", "notebooks/03_c.ipynb": "new"})
    assert not create(course, ws)
    assert snapshot(ws) == before


def test_create_on_first_use_prints_where_the_copies_are(course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = run("create", course, tmp_path / "workspace")
    assert lines[0] == "made your own copies of the notebooks in workspace/"
    assert "your own copies" in lines[1] and "make refresh" in lines[2]
    assert run("create", course, tmp_path / "workspace")[0].startswith("your own copies")


def test_refresh_replaces_a_file_the_learner_never_changed(course, ws):
    write(course, {"notebooks/01_a.ipynb": "course v2", "solutions/01_a.py": "answer = 2\n"})
    done = refresh(course, ws)
    assert (ws / "notebooks/01_a.ipynb").read_text() == "course v2"
    assert (ws / "solutions/01_a.py").read_text() == "answer = 2\n"
    assert done.updated == ["notebooks/01_a.ipynb", "solutions/01_a.py"] and not done.kept
    assert not (ws / beside("notebooks/01_a.ipynb")).exists()
    # and again after a second update: the manifest now knows the second version
    write(course, {"notebooks/01_a.ipynb": "course v3"})
    assert refresh(course, ws).updated == ["notebooks/01_a.ipynb"]
    assert (ws / "notebooks/01_a.ipynb").read_text() == "course v3"


def test_refresh_keeps_an_edited_file_and_writes_the_course_version_beside_it(course, ws):
    mine = ws / "notebooks/zh/01_a.ipynb"
    mine.write_text("my answers", encoding="utf-8")
    write(course, {"notebooks/zh/01_a.ipynb": "course v2"})
    done = refresh(course, ws)
    assert mine.read_text() == "my answers"
    assert (ws / "notebooks/zh/01_a.course.ipynb").read_text() == "course v2"
    assert done.kept == ["notebooks/zh/01_a.ipynb"]
    said = [line for line in done.lines(ws) if line.startswith("kept your")]
    assert len(said) == 1 and "01_a.ipynb" in said[0] and "01_a.course.ipynb" in said[0]


def test_an_edited_file_on_the_current_course_version_gets_nothing_beside_it(course, ws):
    (ws / "solutions/01_a.py").write_text("my notes")
    done = refresh(course, ws)
    assert not done.kept and not (ws / "solutions/01_a.course.py").exists()
    assert done.lines(ws)[-1].endswith(
        "0 updated, 0 added, 0 kept (changed by you), 5 already up to date"
    )


def test_the_course_version_beside_is_refreshed_unless_the_learner_changed_it(course, ws):
    (ws / "notebooks/02_b.ipynb").write_text("mine")
    side = ws / "notebooks/02_b.course.ipynb"
    write(course, {"notebooks/02_b.ipynb": "v2"})
    refresh(course, ws)
    write(course, {"notebooks/02_b.ipynb": "v3"})
    assert refresh(course, ws).kept == ["notebooks/02_b.ipynb"]
    assert side.read_text() == "v3"
    side.write_text("mine too")  # the learner ran the course's version: it is theirs now
    write(course, {"notebooks/02_b.ipynb": "v4"})
    done = refresh(course, ws)
    assert done.blocked == ["notebooks/02_b.ipynb"]
    assert side.read_text() == "mine too" and (ws / "notebooks/02_b.ipynb").read_text() == "mine"
    assert any("was not written" in line for line in done.lines(ws))


def test_refresh_adds_new_course_files_and_restores_missing_ones(course, ws):
    (ws / "solutions/01_a.py").unlink()
    write(course, {"notebooks/03_c.ipynb": "new"})
    done = refresh(course, ws)
    assert sorted(done.added) == ["notebooks/03_c.ipynb", "solutions/01_a.py"]
    assert (ws / "notebooks/03_c.ipynb").read_text() == "new"
    assert (ws / "solutions/01_a.py").read_text() == COURSE["solutions/01_a.py"]


def test_nothing_is_ever_deleted(course, ws):
    (ws / "notebooks/my_own.ipynb").write_text("mine")
    (ws / "notebooks/.ipynb_checkpoints").mkdir()
    (ws / "notebooks/.ipynb_checkpoints/01_a-checkpoint.ipynb").write_text("autosave")
    (course / "notebooks/02_b.ipynb").unlink()  # the course drops a notebook
    before = snapshot(ws)
    refresh(course, ws)
    after = snapshot(ws)
    assert set(before) <= set(after)
    assert {name: before[name] for name in before if name != MANIFEST} == {
        name: after[name] for name in before if name != MANIFEST
    }


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.unlink(), id="missing"),
        pytest.param(lambda path: path.write_text('{"files": {"notebo'), id="cut-short"),
        pytest.param(lambda path: path.write_text('{"files": ["a"]}'), id="wrong-shape"),
        pytest.param(lambda path: path.write_bytes(b"\xff\xfe"), id="not-text"),
    ],
)
def test_a_missing_or_damaged_manifest_is_one_line_and_every_changed_file_is_kept(
    course, ws, damage
):
    (ws / "notebooks/01_a.ipynb").write_text("mine")
    damage(ws / MANIFEST)
    assert status(course, ws)[1].startswith(f"{ws / MANIFEST} is ")
    write(course, {"notebooks/01_a.ipynb": "v2", "notebooks/02_b.ipynb": "v2"})
    lines = refresh(course, ws).lines(ws)
    problems = [line for line in lines if MANIFEST in line]
    assert len(problems) == 1 and ("is missing" in problems[0] or "is damaged" in problems[0])
    # without the manifest nothing is known to be untouched: both files keep their version
    assert (ws / "notebooks/01_a.ipynb").read_text() == "mine"
    assert (ws / "notebooks/02_b.ipynb").read_text() == COURSE["notebooks/02_b.ipynb"]
    assert (ws / "notebooks/01_a.course.ipynb").read_text() == "v2"
    assert (ws / "notebooks/02_b.course.ipynb").read_text() == "v2"
    # the manifest is whole again, and knows only the files equal to the course
    known = json.loads((ws / MANIFEST).read_text())["files"]
    assert "notebooks/01_a.ipynb" not in known and "notebooks/zh/01_a.ipynb" in known


def test_the_command_line_says_one_line_and_no_traceback_when_a_file_cannot_be_read(
    course, ws, capsys
):
    (ws / "notebooks/01_a.ipynb").unlink()
    (ws / "notebooks/01_a.ipynb").mkdir()  # not a file: cannot be read or replaced
    write(course, {"notebooks/01_a.ipynb": "v2"})
    code = workspace.main(["refresh", "--course", str(course), "--workspace", str(ws)])
    out = capsys.readouterr()
    assert code == 1 and out.err == ""
    assert len(out.out.splitlines()) == 1 and "01_a.ipynb" in out.out


def test_refresh_without_a_working_copy_makes_one(course, tmp_path, capsys):
    folder = tmp_path / "new"
    assert workspace.main(["refresh", "--course", str(course), "--workspace", str(folder)]) == 0
    assert "made your own copies" in capsys.readouterr().out
    assert snapshot(folder).keys() == set(COURSE) | {MANIFEST}


def test_status_names_the_course_files_that_are_newer(course, ws):
    assert "make refresh" in status(course, ws)[1]
    write(course, {"solutions/01_a.py": "answer = 2\n"})
    assert "1 new or newer file(s) (solutions/01_a.py)" in status(course, ws)[1]
    assert status(course, ws.parent / "nowhere")[0].startswith("no working copy yet")


def test_an_interrupted_create_leaves_no_half_made_working_copy(course, tmp_path, monkeypatch):
    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace, "write_manifest", fail)
    with pytest.raises(KeyboardInterrupt):
        create(course, tmp_path / "workspace")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"]

"""The rows of notebook 05's results table (ngram_helpers.experiments): defined once, each in the
committed table, and cheap rows re-run to the committed numbers."""

import math

import pytest
import torch

from ngram_helpers.experiments import MIXTURES, ROWS, VARIANTS, get_row, run_row, with_seed
from ngram_helpers.results import read_table
from tests.conftest import ROOT

TABLE = ROOT / "results" / "names.csv"


def committed(name: str) -> dict[str, str]:
    return read_table(TABLE)[name]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("name", ["uniform", "count-4", "mlp-lesson-2k"])
def test_cheap_rows_match_the_committed_csv(names_data, name):
    result = run_row(get_row(name), names_data)
    line = committed(name)
    assert result.val_loss == pytest.approx(float(line["val_loss"]), abs=2e-6)
    assert result.test_loss == pytest.approx(float(line["test_loss"]), abs=2e-6)
    assert result.parameters == int(line["parameters"])
    assert result.steps == int(line["steps"])


def test_every_row_is_in_the_table_with_its_command():
    lines = read_table(TABLE)
    assert list(lines) == [row.name for row in ROWS]
    for line in lines.values():
        assert f"--rows {line['name']}" in line["command"]
        assert math.isfinite(float(line["test_loss"]))


def test_every_defined_row_is_in_the_table_and_described_by_its_changes():
    names = [row.name for row in ROWS]
    defined = [name for name, _, _ in VARIANTS] + [name for name, _ in MIXTURES]
    assert not set(defined) - set(names) and len(names) == len(set(names))
    ctx8 = get_row("mlp-ctx8-10k-b512")
    assert ctx8.parent.name == "mlp-ctx5-10k-b512" and ctx8.model.context_length == 8
    assert ctx8.description == "mlp-ctx5-10k-b512, context 5 -> 8"
    assert get_row("mlp-b256-10k").description == "mlp-lesson, batch 128 -> 256, steps 50k -> 10k"
    assert get_row("mlp-deep2-names-20k-drop").model.dropout == 0.1


def test_a_row_from_another_seed_changes_only_its_seed():
    lesson = with_seed(get_row("mlp-lesson"), 1338)
    assert lesson.train.init_seed == 1338 and lesson.name == "mlp-lesson"
    assert lesson.model == get_row("mlp-lesson").model
    mixture = with_seed(get_row("mix-ctx3"), 1339)
    assert mixture.component_seed == 1339 and mixture.components == get_row("mix-ctx3").components
    with pytest.raises(ValueError, match="count model: only MLP rows and mixtures have a seed"):
        with_seed(get_row("count-3"), 1338)


@pytest.mark.usefixtures("one_thread")
def test_a_mixture_from_another_seed_trains_its_mlps_from_it(names_data, monkeypatch):
    """run_mixture hands the seed to each MLP component (checked without training one)."""
    from ngram_helpers import experiments

    seen = []

    def fake_run_row(row, data, **kwargs):
        seen.append(row.train.init_seed)
        return run_row(get_row("count-1"), data)  # stands in for a trained model

    monkeypatch.setattr(experiments, "run_row", fake_run_row)
    monkeypatch.setattr(experiments, "target_probabilities", lambda *args: torch.full((7121,), 0.5))
    result = experiments.run_mixture(with_seed(get_row("mix-ctx3"), 1339), names_data)
    assert seen == [1339] and result.seed == 1339
    assert experiments.run_mixture(get_row("mix-ctx3"), names_data).seed == 1337  # its MLP's own


def test_unknown_row_names_the_known_ones():
    with pytest.raises(KeyError, match="known rows: uniform"):
        get_row("mlp-huge")


@pytest.mark.usefixtures("one_thread")
def test_count_rows_are_scored_on_the_examples_of_the_mlp_walk(names_data):
    """kn-4's loss is the mean over the targets that split_loss and the mixtures score."""
    from ngram_helpers.mixture import target_probabilities
    from ngram_helpers.ngrams import fit_kneser_ney

    result = run_row(get_row("kn-4"), names_data)
    model = fit_kneser_ney(names_data, 4)
    for split, loss in (("val", result.val_loss), ("test", result.test_loss)):
        probs = target_probabilities(model, names_data, split, 3)
        assert probs.numel() == len(names_data.tokens[split]) // 128 * 128
        assert loss == pytest.approx(-probs.log().mean().item(), abs=1e-12)


def test_in_chinese_a_row_says_what_it_is_in_chinese(chinese):
    assert get_row("mlp-lesson").description == "课程的 MLP：T=3，E=48，H=512，50k 步"
    assert get_row("mlp-ctx5").description == "mlp-lesson，上下文 3 -> 5"
    assert get_row("mlp-deep2-names").description == "mlp-deep2，遮住前一个名字的字符"
    assert get_row("kn-4").description == "4-gram 计数模型，修正的 Kneser-Ney 平滑"

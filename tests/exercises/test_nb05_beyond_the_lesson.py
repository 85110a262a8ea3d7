"""Notebook 05's exercises: each solution passes its check, typical mistakes get their sentence.

The checks are in ngram_helpers/exercises/nb05_beyond_the_lesson.py, the worked solutions in
solutions/05_beyond_the_lesson.py. The objects a check needs are built small here (made-up
finder sweeps and mixture probabilities, untrained models); exercise 5.5's solution trains its
three short runs once, the only training in this file.
"""

import pytest
import torch

from ngram_helpers.exercises import nb05_beyond_the_lesson as ex
from ngram_helpers.experiments import RowResult, build_row_model, get_row, variant
from ngram_helpers.files import PROJECT
from ngram_helpers.mixture import mixture_weights
from ngram_helpers.ngrams import KneserNey, context_ids, padded_examples
from ngram_helpers.seed_spread import beyond_spread, read_spreads
from ngram_helpers.train import TrainConfig
from tests.conftest import assert_all_wrong, assert_wrong, empty_function, load_solution, raises
from tests.exercises.conftest import assert_chinese

sol = load_solution("05_beyond_the_lesson")
pytestmark = pytest.mark.usefixtures("one_thread_per_module")


# --- Exercise 5.1 · Predict, then measure: the finder from three seeds ------------------------

LRS = [1e-5 * (1e-1 / 1e-5) ** (i / 99) for i in range(100)]  # a short sweep: quick to run


@pytest.fixture(scope="module")
def readings(names_data):
    return sol.finder_readings_by_seed(LRS, names_data)


def test_5_1_solution_passes(readings, names_data):
    feedback = ex.check_finder_seeds(readings, LRS, names_data)
    assert feedback.status == "correct", feedback.message


def test_5_1_the_solutions_readings_are_the_checks(names_data):
    sweep = ex.seed_sweeps(LRS, names_data)[1338]
    assert sol.smooth(sweep) == ex.smoothed(sweep)
    assert sol.readings_of(LRS, sweep) == ex.finder_readings(LRS, sweep)


def test_5_1_typical_mistakes_are_named(readings, names_data):
    sweeps = ex.seed_sweeps(LRS, names_data)

    def raw_lowest(seed):
        losses = sweeps[seed]
        return readings[seed][0], LRS[min(range(len(losses)), key=losses.__getitem__)]

    cases = [
        ({seed: readings[1337] for seed in readings}, "gives seed 1337's readings"),
        ({seed: pair[::-1] for seed, pair in readings.items()}, "swapped"),
        ({seed: (2.4, 2.5) for seed in readings}, "not rates of the sweep"),
        ({1337: readings[1337]}, "keys 1337, 1338 and 1339"),
        (readings | {1339: 7e-4}, "should be a pair"),
    ]
    if raw_lowest(1337)[1] != readings[1337][1]:
        cases.append(({seed: raw_lowest(seed) for seed in readings}, "smooth them first"))
    for answer, fragment in cases:
        assert_wrong(ex.check_finder_seeds(answer, LRS, names_data), fragment)


def test_5_1_empty_answer_is_not_attempted(names_data):
    assert ex.check_finder_seeds(None, LRS, names_data).status == "empty"


# --- Exercise 5.2 · Predict, then measure: which steps survive the seed rule? ------------------

SPREADS = read_spreads(PROJECT / "results", "names")


def mean(losses):
    return sum(losses.values()) / len(losses)


def spread(losses):
    return max(losses.values()) - min(losses.values())


def test_5_2_the_reference_is_the_notebooks_rule():
    for name, parent in ex.table_steps(SPREADS):
        new, old = SPREADS[name], SPREADS[parent]
        assert ex.real_gain(new.losses, old.losses) == (
            beyond_spread(new, old) and new.mean < old.mean
        )


def test_5_2_solution_passes_and_measures_the_table():
    feedback = ex.check_is_real_gain(sol.is_real_gain, SPREADS)
    assert feedback.status == "correct", feedback.message
    assert "26 one-change steps" in feedback.message
    assert "accepts 14 as gains" in feedback.message
    assert "lower loss for 18" in feedback.message


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda new, old: mean(old) - mean(new) > min(spread(new), spread(old)), "smaller"),
        (lambda new, old: mean(old) - mean(new) > spread(new) + spread(old), "added together"),
        (lambda new, old: abs(mean(old) - mean(new)) > max(spread(new), spread(old)), "*higher*"),
        (lambda new, old: mean(new) - mean(old) > max(spread(new), spread(old)), "reversed"),
        (lambda new, old: mean(new) < mean(old), "any lower mean"),
        (lambda new, old: new[1337] < old[1337], "one seed (1337)"),
        (lambda new, old: mean(old) - mean(new) > max(spread(new), spread(old)) / 2, "half"),
        (lambda new, old: False, "a gain is a mean val loss lower"),
        (lambda new, old: mean(old) - mean(new), "return True or False"),
    ],
    ids=["smaller", "sum", "abs", "reversed", "no spread", "seed 1337", "half", "never", "float"],
)
def test_5_2_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_is_real_gain(answer, SPREADS), fragment)


def test_5_2_empty_answer_is_not_attempted():
    assert ex.check_is_real_gain(empty_function, SPREADS).status == "empty"
    assert ex.check_is_real_gain(None, SPREADS).status == "empty"


# --- Exercise 5.3 · A Kneser-Ney discount by hand, one level down -----------------------------


@pytest.fixture(scope="module")
def examples4(names_data):
    """The notebook's ``contexts4, targets4``: the padded order-4 training examples."""
    return padded_examples(names_data.tokens["train"], 4, names_data.tokenizer.end_token)


@pytest.fixture(scope="module")
def grams(examples4):
    """The notebook's ``grams``, every distinct 4-gram once, rebuilt from their integer ids."""
    ids = torch.unique(context_ids(torch.cat([examples4[0], examples4[1][:, None]], dim=1), 27))
    return torch.stack([ids // 27**3, ids // 27**2 % 27, ids // 27 % 27, ids % 27], dim=1)


def test_5_3_the_reference_is_what_the_kneser_ney_model_uses(examples4):
    reference = ex.level_discounts(*examples4)["continuation"]
    model = KneserNey(*examples4, vocab_size=27)
    assert torch.allclose(reference, model.discounts[3][1:], rtol=0, atol=1e-12)


def test_5_3_solution_passes(examples4, grams):
    answer = sol.continuation_discounts_for(grams)
    assert ex.check_continuation_discounts(answer, *examples4).status == "correct"


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("raw 3-gram", "raw 3-gram counts"),
        ("4-gram", "the 4-gram level"),
        ("following", "*after* each 3-character context"),
        ("2-gram level", "the level below this one"),
    ],
)
def test_5_3_typical_mistakes_are_named(examples4, mistake, fragment):
    answer = ex.level_discounts(*examples4)[mistake].tolist()
    assert_wrong(ex.check_continuation_discounts(answer, *examples4), fragment)


def test_5_3_other_wrong_answers_say_what_to_fix(examples4):
    right = ex.level_discounts(*examples4)["continuation"].tolist()
    with_d0 = ex.check_continuation_discounts([0.0, *right], *examples4)
    assert_wrong(with_d0, "drop the first number, D(0) = 0")
    one_off = ex.check_continuation_discounts([right[0], right[1] + 0.1, right[2]], *examples4)
    assert_wrong(one_off, "D2 is not right")
    assert_wrong(ex.check_continuation_discounts([0.5, 1.0], *examples4), "give three numbers")
    assert_wrong(ex.check_continuation_discounts([float("nan")] * 3, *examples4), "inf or nan")


def test_5_3_empty_answer_is_not_attempted(examples4):
    assert ex.check_continuation_discounts(None, *examples4).status == "empty"


# --- Exercise 5.4 · One round of expectation-maximisation -------------------------------------

PROBS = ex.made_up_probs(num_models=2, num_targets=200)  # stands in for parts["val"]


def forgets_the_weights(weights, probs):
    return (probs / probs.sum(dim=0, keepdim=True)).mean(dim=1)


def adds_the_shares(weights, probs):
    shares = weights[:, None] * probs
    return (shares / shares.sum(dim=0, keepdim=True)).sum(dim=1)


def normalises_over_targets(weights, probs):
    shares = weights[:, None] * probs
    return (shares / shares.sum(dim=1, keepdim=True)).mean(dim=1)


def only_two_models(weights, probs):
    mine = weights[0] * probs[0]
    share = (mine / (mine + (1 - weights[0]) * probs[1])).mean()
    return torch.stack([share, 1 - share])


def returns_the_shares(weights, probs):
    shares = weights[:, None] * probs
    return shares / shares.sum(dim=0, keepdim=True)


def test_5_4_solution_passes():
    assert ex.check_em_step(sol.em_step, PROBS).status == "correct"


def test_5_4_repeated_rounds_are_mixture_weights():
    weights = torch.full((2,), 0.5, dtype=torch.float64)
    for _ in range(200):
        weights = sol.em_step(weights, PROBS)
    assert torch.allclose(weights, mixture_weights(PROBS), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (forgets_the_weights, "ignores the current weights"),
        (adds_the_shares, "you added the shares"),
        (normalises_over_targets, "normalised each model's shares over the targets"),
        (only_two_models, "right for two models, not for three"),
        (returns_the_shares, "each target's shares"),
    ],
)
def test_5_4_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_em_step(answer, PROBS), fragment)


def test_5_4_empty_answer_is_not_attempted():
    assert ex.check_em_step(empty_function, PROBS).status == "empty"
    assert ex.check_em_step(None, PROBS).status == "empty"


# --- Exercise 5.5 · Beat the 2,000-step row, over three seeds ---------------------------------


@pytest.fixture(scope="module")
def untrained_models(names_data):
    """Three models of the lesson's 2,000-step row from seeds 1, 2, 3, never trained."""
    row = get_row("mlp-lesson-2k")
    return [build_row_model(variant("x", row, init_seed=s), names_data) for s in (1, 2, 3)]


def results(models, seeds=(1, 2, 3), steps=2_000):
    """The models as results of run_row, as a learner would pass them, with these steps, seeds."""
    return [
        RowResult(0.0, 0.0, 0, steps, 0.0, seed, model=model)
        for model, seed in zip(models, seeds, strict=True)
    ]


@pytest.fixture(scope="module")
def solution_runs(names_data):
    return sol.beat_the_2k_row(names_data)


def test_5_5_the_lesson_rows_three_seeds_are_in_the_results():
    assert sorted(ex.lesson_val_losses()) == [1337, 1338, 1339]


def test_5_5_solution_passes(solution_runs, names_data):
    feedback = ex.check_beat_the_2k_row(solution_runs, names_data)
    assert feedback.status == "correct", feedback.message
    assert all(run.steps <= 2_000 and run.model.config.context_length == 3 for run in solution_runs)


def test_5_5_the_rules_are_checked_one_by_one(names_data, untrained_models):
    check, models = ex.check_beat_the_2k_row, untrained_models
    wider = build_row_model(variant("x", get_row("mlp-lesson-2k"), context_length=5), names_data)
    assert_wrong(check(results([wider, *models[1:]]), names_data), "run 1 reads 5 characters")
    assert_wrong(check(results(models, steps=5_000), names_data), "at most 2,000")
    assert_wrong(check(results(models, seeds=(7, 7, 8)), names_data), "repeat")
    shared = results([models[0], models[1], models[0]])
    assert_wrong(check(shared, names_data), "share one model")
    assert_wrong(check(results(models), names_data), "not better")
    assert_wrong(check(results(models[:2], seeds=(1, 2)), names_data), "give 3 runs")
    pairs = [(TrainConfig(), model) for model in models]
    assert_wrong(check(pairs, names_data), "give what `run_row` returns")


def test_5_5_a_gain_within_the_spread_is_not_a_win():
    lesson = [2.2232, 2.2239, 2.2206]  # a range of 0.0033
    assert_wrong(ex.spread_verdict([2.2190, 2.2230, 2.2200], lesson), "within the spread")
    assert_wrong(ex.spread_verdict([2.2300, 2.2310, 2.2320], lesson), "not better")
    assert ex.spread_verdict([2.1700, 2.1710, 2.1690], lesson).passed


def test_5_5_empty_answer_is_not_attempted(names_data):
    assert ex.check_beat_the_2k_row(None, names_data).status == "empty"


# --- Every checker, given garbage ---------------------------------------------------------------


def test_checkers_never_raise(names_data, examples4):
    checks = [
        lambda answer: ex.check_finder_seeds(answer, LRS, names_data),
        lambda answer: ex.check_is_real_gain(answer, SPREADS),
        lambda answer: ex.check_continuation_discounts(answer, *examples4),
        lambda answer: ex.check_em_step(answer, PROBS),
        lambda answer: ex.check_beat_the_2k_row(answer, names_data),
    ]
    assert_all_wrong(checks, ["a string", raises, 42])


def test_in_chinese_each_check_says_not_attempted_and_correct_in_chinese(
    chinese, examples4, grams, solution_runs, names_data, readings
):
    answers = [
        (ex.check_finder_seeds, readings, (LRS, names_data)),
        (ex.check_is_real_gain, sol.is_real_gain, (SPREADS,)),
        (ex.check_continuation_discounts, sol.continuation_discounts_for(grams), examples4),
        (ex.check_em_step, sol.em_step, (PROBS,)),
        (ex.check_beat_the_2k_row, solution_runs, (names_data,)),
    ]
    for check, answer, args in answers:
        assert_chinese(check(None, *args), "empty")
        assert_chinese(check(answer, *args), "correct")

"""Notebook 04's exercises: each solution passes its check, typical mistakes get their sentence.

The trained model of the notebook takes minutes to train, so the sampling exercises run on a
stand-in that LogitTable tabulates in a second: the smoothed count 4-gram of the training names,
which, like the trained model, reproduces familiar names when sampled cold and invents when hot.
"""

import math

import pytest
import torch

from ngram_helpers.context_probe import context_probe
from ngram_helpers.exercises import nb04_full_training_run as ex
from ngram_helpers.ngrams import fit_counts
from ngram_helpers.sample import LogitTable, draw_names, memoised_cdf
from ngram_helpers.train import (
    History,
    TrainConfig,
    build_model,
    cosine_lr,
    model_config_for,
    train,
)
from tests.conftest import assert_all_wrong, empty_function, load_solution
from tests.exercises.conftest import assert_chinese

sol = load_solution("04_full_training_run")


class CountModel:
    """The add-0.1 count 4-gram, called like an MLP: contexts (N, 3) -> (log-probs, None)."""

    def __init__(self, data):
        self.counts = fit_counts(data, 4)
        self.config = model_config_for(data)

    def __call__(self, contexts):
        return torch.log(self.counts.probs(contexts, 0.1)).float(), None


@pytest.fixture(scope="module")
def table(names_data):
    return LogitTable(CountModel(names_data))


@pytest.fixture(scope="module")
def small_run(names_data):
    """A short run of a small model: its config and the history it logged."""
    config = TrainConfig(num_steps=120, eval_every=40, train_eval_batches=1)
    model_config = model_config_for(names_data, embedding_size=4, hidden_size=16)
    model = build_model(names_data, model_config, config)
    return model, config, train(model, names_data, config, engine="fast", progress=False)


# ---------------------------------------------------------------------------------------------
# 4.1 · A warm-up before the cosine


def check_warmup(schedule, names_data):
    return ex.check_warmup_cosine(schedule, names_data, model_config_for(names_data))


def test_the_warmup_solution_passes_and_reports_both_runs(names_data):
    feedback = check_warmup(sol.warmup_cosine, names_data)
    assert feedback.status == "correct", feedback
    assert "warm-up − cosine" in feedback.message and "1,000" in feedback.message


def test_the_measured_run_is_trains_own(names_data):
    """With the plain cosine, the check's short run logs the val losses ``train`` logs."""
    model_config = model_config_for(names_data)
    config = TrainConfig(num_steps=1_000)
    history = train(
        build_model(names_data, model_config, config), names_data, config, engine="fast",
        progress=False,
    )  # fmt: skip
    losses = ex.short_run_val_losses(
        lambda s: cosine_lr(s, 1_000, config.learning_rate), names_data, model_config
    )
    logged = dict(zip(history.step, history.val_loss, strict=True))
    for step in range(0, 1_000, 200):
        assert losses[step] == pytest.approx(logged[step], abs=1e-6)


def ramp(s, w):
    return s / w


def cos_part(s, n, m):
    return m * 0.5 * (1 + math.cos(math.pi * s / n))


@pytest.mark.parametrize(
    "schedule, says",
    [
        (lambda s, n, m, w: cos_part(s, n, m), "no warm-up"),
        (
            lambda s, n, m, w: m * ramp(s, w) if s < w else cos_part(s, n, m),
            "drops onto the cosine of the whole run",
        ),
        (
            lambda s, n, m, w: m * ramp(s, w) if s < w else cos_part(s - w, n, m),
            "num_steps − warmup steps left",
        ),
        (lambda s, n, m, w: m * min(ramp(s, w), 1.0), "stays at max_lr"),
        (lambda s, n, m, w: min(ramp(s, w), 1.0) * cos_part(s, n, m), "highest rate"),
        (
            lambda s, n, m, w: m * (s + 1) / w if s < w else cos_part(s - w, n - w, m),
            "warm-up ends at step 199",
        ),
        (
            lambda s, n, m, w: m * s / (2 * w) if s < 2 * w else cos_part(s - 2 * w, n - 2 * w, m),
            "warm-up ends at step 400",
        ),
        (
            lambda s, n, m, w: 7e-4 * s / 200 if s < 200 else cos_part(s - 200, 800, 7e-4),
            "5,000 steps from 0.01",
        ),
    ],
)
def test_warmup_mistakes_are_named(schedule, says, names_data):
    feedback = check_warmup(schedule, names_data)
    assert feedback.status == "wrong" and says in feedback.message, feedback


def test_an_empty_warmup_is_not_attempted(names_data):
    assert check_warmup(lambda s, n, m, w: None, names_data).status == "empty"


# ---------------------------------------------------------------------------------------------
# 4.5 · A context where the first character matters most


@pytest.fixture(scope="module")
def small_table(small_run):
    return LogitTable(small_run[0])


def test_the_checks_probe_is_the_notebooks(small_run, small_table, names_data):
    model, tokenizer = small_run[0], names_data.tokenizer
    for context in ("emm", "..j", "lle"):
        ids = torch.tensor([tokenizer.encode(context.replace(".", "\n"))])
        expected = context_probe(model, tokenizer, context).mean(dim=1)
        assert torch.allclose(ex.probe_means(small_table, ids)[0], expected, atol=1e-6)


def test_the_first_matters_most_solution_passes(small_run, small_table, names_data):
    answer = sol.first_position_context(small_run[0], names_data)
    feedback = ex.check_first_matters_most(answer, small_table, names_data)
    assert feedback.status == "correct", feedback
    shares = ex.winning_shares(small_table, names_data)
    assert sum(shares) == pytest.approx(1) and f"{shares[0]:.1%}" in feedback.message


def test_first_matters_most_mistakes_are_named(small_run, small_table, names_data):
    means = ex.probe_means(small_table, ex.stream_contexts(names_data, 3)[0])
    contexts = ex.stream_contexts(names_data, 3)[0]

    def a_context(winner):
        ids = contexts[means.argmax(dim=1) == winner][0].tolist()
        return names_data.tokenizer.decode(ids).replace("\n", ".")

    cases = [
        (3, "should be a string"),
        ("em", "has 2 characters"),
        ("EMM", "not in the vocabulary"),
        ("qqq", "never occurs in the training names"),
        (a_context(2), "the last position moves the prediction most"),
        (a_context(1), "the middle position wins"),
    ]
    for answer, says in cases:
        feedback = ex.check_first_matters_most(answer, small_table, names_data)
        assert feedback.status == "wrong" and says in feedback.message, (says, feedback)
    assert ex.check_first_matters_most(None, small_table, names_data).status == "empty"


# ---------------------------------------------------------------------------------------------
# 4.2 · Half the names new


def test_the_half_new_temperature_solution_passes(table, names_data):
    answer = sol.half_new_temperature(table, names_data)
    assert ex.check_half_new_temperature(answer, table, names_data).status == "correct"


@pytest.mark.parametrize(
    "answer, says",
    [
        (0.3, "too few"),
        (0.5, "the answer is a temperature"),
        (2.0, "too many"),
        (0, "greedy"),
        (-1.0, "above 0"),
        ([0.7, 0.8], "one number"),
    ],
)
def test_temperature_mistakes_are_named(answer, says, table, names_data):
    feedback = ex.check_half_new_temperature(answer, table, names_data)
    assert feedback.status == "wrong" and says in feedback.message, feedback


def test_no_temperature_yet_is_not_attempted(table, names_data):
    assert ex.check_half_new_temperature(None, table, names_data).status == "empty"


# ---------------------------------------------------------------------------------------------
# 4.3 · Nucleus (top-p) sampling


def ranked(probs):
    order = torch.argsort(probs, descending=True, stable=True)
    return order, probs[order]


def crossing_left_out(probs, p):
    order, top = ranked(probs)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = torch.cumsum(top, 0) <= p
    return probs * keep / (probs * keep).sum()


def not_renormalised(probs, p):
    order, top = ranked(probs)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = torch.cumsum(top, 0) - top < p
    return probs * keep


def sorted_order(probs, p):
    _, top = ranked(probs)
    kept = top * (torch.cumsum(top, 0) - top < p)
    return kept / kept.sum()


def in_place(probs, p):
    result = sol.top_p_probs(probs, p)
    probs.copy_(result)
    return probs


def least_likely(probs, p):
    order = torch.argsort(probs, stable=True)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = torch.cumsum(probs[order], 0) - probs[order] < p
    return probs * keep / (probs * keep).sum()


def test_the_top_p_solution_passes():
    assert ex.check_top_p(sol.top_p_probs).status == "correct"


@pytest.mark.parametrize(
    "top_p_probs, says",
    [
        (crossing_left_out, "left out the token"),
        (not_renormalised, "divide them by their sum"),
        (sorted_order, "sorted from most to least likely"),
        (in_place, "in place"),
        (least_likely, "least likely"),
        (lambda probs, p: sol.top_p_probs(probs, p)[None], "shape (1, 27)"),
        (lambda probs, p: probs, "distribution unchanged"),
        (
            lambda probs, p: (
                sol.top_p_probs(probs, p) ** 2 / (sol.top_p_probs(probs, p) ** 2).sum()
            ),
            "differs by up to",
        ),
    ],
)
def test_top_p_mistakes_are_named(top_p_probs, says):
    feedback = ex.check_top_p(top_p_probs)
    assert feedback.status == "wrong" and says in feedback.message, feedback


def test_an_empty_top_p_is_not_attempted():
    assert ex.check_top_p(lambda probs, p: None).status == "empty"


# ---------------------------------------------------------------------------------------------
# 4.4 · Nucleus against top-k


def test_the_nucleus_solution_passes(table, names_data):
    nucleus_names = sol.nucleus_sampler(table, names_data.tokenizer)
    p = sol.p_like_top3_for(table, names_data, nucleus_names)
    feedback = ex.check_nucleus_like_top_k(nucleus_names, p, table, names_data)
    assert feedback.status == "correct" and "on average" in feedback.message, feedback


def test_nucleus_mistakes_are_named(table, names_data):
    tokenizer = names_data.tokenizer
    nucleus_names = sol.nucleus_sampler(table, tokenizer)

    def ignores_p(num, seed, p):
        return nucleus_names(num, seed, 1.0)

    def sorted_nucleus(num, seed, p):
        def probs_after(context):
            row = table.row(context)
            return sorted_order(torch.softmax(table.logits[row], dim=0), p)

        return draw_names(memoised_cdf(probs_after), tokenizer, 3, num, seed)

    cases = [
        (ignores_p, 0.6, "names of plain sampling"),
        (sorted_nucleus, 0.6, "differs at name"),
        (lambda num, seed, p: nucleus_names(num, seed, p)[:-1], 0.6, "list of 50 names"),
        (nucleus_names, 1.0, "lower p"),
        (nucleus_names, 0.05, "raise p"),
        (nucleus_names, 60, "between 0 and 1"),
    ]
    for sampler, p, says in cases:
        feedback = ex.check_nucleus_like_top_k(sampler, p, table, names_data)
        assert feedback.status == "wrong" and says in feedback.message, (says, feedback)


def test_an_empty_nucleus_is_not_attempted(table, names_data):
    def empty(num, seed, p):
        return None

    assert ex.check_nucleus_like_top_k(empty, None, table, names_data).status == "empty"
    nucleus_names = sol.nucleus_sampler(table, names_data.tokenizer)
    assert ex.check_nucleus_like_top_k(nucleus_names, None, table, names_data).status == "empty"


# ---------------------------------------------------------------------------------------------
# Every check survives garbage


def test_checks_given_garbage_say_so_and_never_raise(table, names_data, small_run):
    def raises(*args):
        raise ZeroDivisionError("the learner's bug")

    _, config, history = small_run
    checks = [
        lambda answer: ex.check_warmup_cosine(answer, names_data, model_config_for(names_data)),
        lambda answer: ex.check_warmup_cosine(
            lambda *args: answer, names_data, model_config_for(names_data)
        ),
        lambda answer: ex.check_first_matters_most(answer, table, names_data),
        lambda answer: ex.check_half_new_temperature(answer, table, names_data),
        ex.check_top_p,
        lambda answer: ex.check_nucleus_like_top_k(answer, 0.6, table, names_data),
        lambda answer: ex.check_nucleus_like_top_k(
            sol.nucleus_sampler(table, names_data.tokenizer), answer, table, names_data
        ),
    ]
    assert_all_wrong(checks, ["a string", raises, float("nan"), History()])
    assert "ZeroDivisionError" in ex.check_top_p(raises).message


def test_in_chinese_each_check_says_not_attempted_and_correct_in_chinese(
    chinese, table, names_data, small_run
):
    nucleus_names = sol.nucleus_sampler(table, names_data.tokenizer)
    p = sol.p_like_top3_for(table, names_data, nucleus_names)
    small_table = LogitTable(small_run[0])
    first = sol.first_position_context(small_run[0], names_data)
    temperature = sol.half_new_temperature(table, names_data)
    # (check, the answer as shipped, the solution's answer, what else the check is given)
    answers = [
        (check_warmup, (empty_function,), (sol.warmup_cosine,), (names_data,)),
        (ex.check_half_new_temperature, (None,), (temperature,), (table, names_data)),
        (ex.check_top_p, (empty_function,), (sol.top_p_probs,), ()),
        (
            ex.check_nucleus_like_top_k,
            (empty_function, None),
            (nucleus_names, p),
            (table, names_data),
        ),
        (ex.check_first_matters_most, (None,), (first,), (small_table, names_data)),
    ]
    for check, shipped, solved, args in answers:
        assert_chinese(check(*shipped, *args), "empty")
        assert_chinese(check(*solved, *args), "correct")

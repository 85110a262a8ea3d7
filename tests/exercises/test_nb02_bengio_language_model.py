"""Notebook 02's exercises: each solution passes its check, typical mistakes get their sentence.

The checks are in ngram_helpers/exercises/nb02_bengio_language_model.py, the worked solutions in
solutions/02_bengio_language_model.py. The count model is the notebook's 4-gram (one fit of the
training names); exercise 2.5's runs use a tiny MLP trained for a few hundred steps, so that the
whole file stays within seconds.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.exercises import nb02_bengio_language_model as ex
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.ngrams import DEFAULT_ALPHAS, fit_counts, padded_examples
from ngram_helpers.rng import RNG
from ngram_helpers.train import TrainConfig, train
from tests.conftest import assert_all_wrong, assert_wrong, empty_function, load_solution, raises
from tests.exercises.conftest import assert_chinese

sol = load_solution("02_bengio_language_model")
SMALL = ModelConfig(vocab_size=27, context_length=3, embedding_size=8, hidden_size=32)
pytestmark = pytest.mark.usefixtures("one_thread_per_module")


# --- Exercise 2.1 · a finer search for alpha -------------------------------------------------


@pytest.fixture(scope="module")
def fourgram(names_data):
    return fit_counts(names_data, 4)


def grid_losses(fourgram, data, split):
    examples = padded_examples(data.tokens[split], 4, data.tokenizer.end_token)
    return {alpha: fourgram.loss(*examples, alpha) for alpha in ex.FINE_ALPHAS}


def test_2_1_solution_passes(fourgram, names_data):
    val4 = padded_examples(names_data.tokens["val"], 4, names_data.tokenizer.end_token)
    answer = sol.fine_alpha_answer(fourgram, val4)
    assert ex.check_fine_alpha(answer, fourgram, names_data).status == "correct"
    assert tuple(sol.fine_alphas) == ex.FINE_ALPHAS


def test_2_1_typical_mistakes_are_named(fourgram, names_data):
    val, test = (grid_losses(fourgram, names_data, split) for split in ("val", "test"))
    best_val, best_test = min(val, key=val.get), min(test, key=test.get)
    assert best_test != best_val  # else choosing on test could not be told apart
    check = ex.check_fine_alpha
    assert_wrong(check(best_test, fourgram, names_data), "best on the test split")
    assert_wrong(check(min(ex.FINE_ALPHAS), fourgram, names_data), "training split prefers")
    assert_wrong(check(val[best_val], fourgram, names_data), "is a loss")
    assert_wrong(check(0.15, fourgram, names_data), "above the grid's best")
    assert_wrong(check(DEFAULT_ALPHAS[0], fourgram, names_data), "coarse grid")
    assert_wrong(check(0.5, fourgram, names_data), "not on the grid")


def test_2_1_empty_answer_is_not_attempted(fourgram, names_data):
    assert ex.check_fine_alpha(None, fourgram, names_data).status == "empty"


# --- Exercise 2.2 · the count for a deeper model ---------------------------------------------


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_2_2_solution_counts_the_module(layers):
    config = ModelConfig(
        vocab_size=5, context_length=2, embedding_size=3, hidden_size=7, hidden_layers=layers
    )
    counted = sum(p.numel() for p in MLP(config).parameters())
    assert sol.num_parameters(5, 2, 3, 7, layers) == counted


def test_2_2_solution_passes():
    assert ex.check_num_parameters(sol.num_parameters).status == "correct"


def without_extra_layers(v, t, e, h, n):
    return v * e + t * e * h + h + h * v + v


@pytest.mark.parametrize(
    "formula, fragment",
    [
        (lambda v, t, e, h, n: v * e + t * e * h + (n - 1) * h * h + h * v, "left out the biases"),
        (
            lambda v, t, e, h, n: without_extra_layers(v, t, e, h, n) + n * (h * h + h),
            "so there are L - 1",
        ),
        (without_extra_layers, "does not change with L"),
        (lambda v, t, e, h, n: v * e + n * (t * e * h + h) + h * v + v, "only the first hidden"),
        (lambda v, t, e, h, n: v ** (t + 1), "you count"),
    ],
)
def test_2_2_typical_mistakes_are_named(formula, fragment):
    assert_wrong(ex.check_num_parameters(formula), fragment)


def test_2_2_empty_answer_is_not_attempted():
    assert ex.check_num_parameters(None).status == "empty"
    assert ex.check_num_parameters(lambda v, t, e, h, n: None).status == "empty"


# --- Exercise 2.3 · the gradient of the embedding table --------------------------------------


def test_2_3_solution_passes(names_data):
    config = ModelConfig(vocab_size=27, context_length=3, embedding_size=48, hidden_size=512)
    feedback = ex.check_embedding_grad(sol.embedding_grad, config, names_data)
    assert feedback.status == "correct", feedback.message


def test_2_3_one_hot_product_passes_too(names_data):
    def one_hot_product(idx, grad_x, vocab_size):
        rows = grad_x.reshape(idx.numel(), -1)
        return F.one_hot(idx.flatten(), vocab_size).T.to(grad_x.dtype) @ rows

    assert ex.check_embedding_grad(one_hot_product, SMALL, names_data).passed


def places(idx, grad_x):
    """The ids and the rows of dL/dx, one per place in the batch, in the same order."""
    return idx.flatten(), grad_x.reshape(idx.numel(), -1)


def assigned(idx, grad_x, vocab_size):
    ids, rows = places(idx, grad_x)
    table = torch.zeros(vocab_size, rows.shape[1])
    table[ids] = rows
    return table


def unused_rows_left(idx, grad_x, vocab_size):
    ids, rows = places(idx, grad_x)
    table = torch.full((vocab_size, rows.shape[1]), float("nan"))
    for v in ids.unique():
        table[v] = rows[ids == v].sum(0)
    return table


def unused_rows_random(idx, grad_x, vocab_size):
    table = unused_rows_left(idx, grad_x, vocab_size)
    return torch.where(table.isnan(), torch.randn(table.shape), table)


def averaged(idx, grad_x, vocab_size):
    ids, rows = places(idx, grad_x)
    table = torch.zeros(vocab_size, rows.shape[1])
    for v in ids.unique():
        table[v] = rows[ids == v].mean(0)
    return table


def ids_by_position(idx, grad_x, vocab_size):
    _, rows = places(idx, grad_x)
    return torch.zeros(vocab_size, rows.shape[1]).index_add_(0, idx.T.flatten(), rows)


def blocks_of_e(idx, grad_x, vocab_size):
    (b, t), e = idx.shape, grad_x.shape[1] // idx.shape[1]
    rows = grad_x.reshape(b, e, t).transpose(1, 2).reshape(-1, e)
    return torch.zeros(vocab_size, e).index_add_(0, idx.flatten(), rows)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (assigned, "accumulate them (index_add_)"),
        (unused_rows_left, "should get a zero row"),
        (unused_rows_random, "should get a zero row"),
        (averaged, "not their mean"),
        (ids_by_position, "flatten both in the same order"),
        (blocks_of_e, "T blocks of E"),
        (lambda idx, g, v: places(idx, g)[1], "one row per place in the batch"),
        (lambda idx, g, v: g.reshape(*idx.shape, -1), "one row per place in the batch"),
        (lambda idx, g, v: unused_rows_left(idx, g, v)[idx.unique()], "a row only for"),
        (lambda idx, g, v: -sol.embedding_grad(idx, g, v), "opposite sign"),
        (lambda idx, g, v: 2 * sol.embedding_grad(idx, g, v), "constant factor"),
    ],
)
def test_2_3_typical_mistakes_are_named(answer, fragment, names_data):
    assert_wrong(ex.check_embedding_grad(answer, SMALL, names_data), fragment)


def test_2_3_empty_answer_is_not_attempted(names_data):
    assert ex.check_embedding_grad(None, SMALL, names_data).status == "empty"
    assert ex.check_embedding_grad(empty_function, SMALL, names_data).status == "empty"


# --- Exercise 2.4 · direct connections -------------------------------------------------------


class Shipped(MLP):
    """The answer cell as the notebook ships it."""

    def __init__(self, config, rng):
        super().__init__(config, rng)

    def forward(self, idx, targets=None):
        return None


def variant(logits_of, *, bias=False, zero=True, pass_rng=True):
    """A DirectMLP whose logits are ``logits_of(model, x)``, built with the given slips."""

    class Variant(MLP):
        def __init__(self, config, rng):
            super().__init__(config, rng if pass_rng else None)
            t_e = config.context_length * config.embedding_size
            self.direct = nn.Linear(t_e, config.vocab_size, bias=bias)
            if zero:
                nn.init.zeros_(self.direct.weight)

        def forward(self, idx, targets=None):
            logits = logits_of(self, self.wte(idx).flatten(1))
            return logits, None if targets is None else F.cross_entropy(logits, targets)

    return Variant


def right(model, x):
    return model.mlp(x) + model.direct(x)


def test_2_4_solution_passes():
    feedback = ex.check_direct_mlp(sol.DirectMLP)
    assert feedback.status == "correct", feedback.message


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (variant(lambda m, x: m.mlp(x)), "add the direct term"),
        (variant(lambda m, x: right(m, x) + m.mlp[-1].bias), "added twice"),
        (variant(lambda m, x: torch.softmax(right(m, x), dim=-1)), "these are probabilities"),
        (variant(lambda m, x: m.mlp(x) - m.direct(x)), "subtracted"),
        (variant(lambda m, x: m.mlp(x) + m.direct(x.detach())), "gradient of wte.weight"),
        (variant(right, bias=True), "bias of its own"),
        (variant(right, zero=False), "start self.direct's weights at zero"),
        (variant(right, pass_rng=False), "pass rng on"),
        (MLP, "needs a layer"),
    ],
)
def test_2_4_typical_mistakes_are_named(answer, fragment):
    assert_wrong(ex.check_direct_mlp(answer), fragment)


def test_2_4_empty_answer_is_not_attempted():
    assert ex.check_direct_mlp(None).status == "empty"
    assert ex.check_direct_mlp(Shipped).status == "empty"


# --- Exercise 2.5 · do direct connections help? ----------------------------------------------

STEPS = 200


@pytest.fixture(scope="module")
def runs(names_data):
    """The plain run and the solution's direct run of a small model: (model, history) each."""
    plain = MLP(SMALL, RNG(1337))
    plain_history = train(plain, names_data, TrainConfig(num_steps=STEPS), progress=False)
    direct = sol.train_direct(names_data, SMALL, num_steps=STEPS)
    short = sol.train_direct(names_data, SMALL, num_steps=STEPS // 2)
    other_seed = sol.DirectMLP(SMALL, RNG(1))
    other_history = train(other_seed, names_data, TrainConfig(num_steps=STEPS), progress=False)
    return {
        "plain": (plain, plain_history),
        "direct": direct,
        "short": short,
        "other seed": (other_seed, other_history),
    }


def test_2_5_solution_passes(names_data, runs):
    direct_model, direct_history = runs["direct"]
    history = runs["plain"][1]
    feedback = ex.check_direct_run(direct_model, direct_history, history, names_data)
    assert feedback.status == "correct", feedback.message


def test_2_5_typical_mistakes_are_named(names_data, runs):
    plain, history = runs["plain"]
    direct, direct_history = runs["direct"]

    def check(model, model_history):
        return ex.check_direct_run(model, model_history, history, names_data)

    assert_wrong(check(sol.DirectMLP(SMALL, RNG(1337)), direct_history), "still all zero")
    assert_wrong(check(*runs["short"]), "the same number of steps")
    assert_wrong(check(*runs["other seed"]), "start from different models")
    assert_wrong(check(direct, runs["other seed"][1]), "keep the history")
    assert_wrong(check(plain, history), "needs a layer")
    assert_wrong(check(direct, direct), "what train(direct_model, ...) returned")


def test_2_5_empty_answer_is_not_attempted(names_data, runs):
    history = runs["plain"][1]
    assert ex.check_direct_run(None, None, history, names_data).status == "empty"
    assert ex.check_direct_run(runs["direct"][0], None, history, names_data).status == "empty"


# --- every check, given garbage ----------------------------------------------------------------


class Exploding(MLP):
    def __init__(self, config, rng):
        raise RuntimeError("boom")


def test_checks_given_garbage_answer_and_do_not_raise(fourgram, names_data, runs):
    checks = [
        lambda answer: ex.check_fine_alpha(answer, fourgram, names_data),
        ex.check_num_parameters,
        lambda answer: ex.check_embedding_grad(answer, SMALL, names_data),
        ex.check_direct_mlp,
        lambda answer: ex.check_direct_run(answer, answer, runs["plain"][1], names_data),
    ]
    assert_all_wrong(checks, ["abc", raises, [1.0, 2.0], object()])
    for feedback in [
        ex.check_num_parameters(raises),
        ex.check_direct_mlp(Exploding),
        ex.check_direct_mlp(variant(raises)),
    ]:
        assert feedback.status == "wrong" and "boom" in feedback.message


def test_in_chinese_each_check_says_not_attempted_and_correct_in_chinese(
    chinese, fourgram, names_data, runs
):
    val4 = padded_examples(names_data.tokens["val"], 4, names_data.tokenizer.end_token)
    direct_model, direct_history = runs["direct"]
    checks = [
        (ex.check_fine_alpha, sol.fine_alpha_answer(fourgram, val4), (fourgram, names_data)),
        (ex.check_num_parameters, sol.num_parameters, ()),
        (ex.check_embedding_grad, sol.embedding_grad, (SMALL, names_data)),
        (ex.check_direct_mlp, sol.DirectMLP, ()),
    ]
    for check, answer, args in checks:
        assert_chinese(check(None, *args), "empty")
        assert_chinese(check(answer, *args), "correct")
    history = runs["plain"][1]
    assert_chinese(ex.check_direct_run(None, None, history, names_data), "empty")
    run = ex.check_direct_run(direct_model, direct_history, history, names_data)
    assert_chinese(run, "correct")

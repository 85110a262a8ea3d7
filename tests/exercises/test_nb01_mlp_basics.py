"""Notebook 01's exercises: each solution passes its check, typical mistakes get their sentence.

The checks are in ngram_helpers/exercises/nb01_mlp_basics.py, the worked solutions in
solutions/01_mlp_basics.py. The objects a check needs are rebuilt here as the notebook builds
them (its moons batch and initial parameters, its digits, its 40 noisy moons); the digit network
is trained once for the module, and the checks keep their own reference runs per data set.
"""

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from ngram_helpers.exercises import nb01_mlp_basics as ex
from ngram_helpers.toy_data import digits, two_moons
from ngram_helpers.toy_models import make_mlp
from tests.conftest import assert_all_wrong, assert_wrong, empty_function, load_solution, raises
from tests.exercises.conftest import assert_chinese

sol = load_solution("01_mlp_basics")
pytestmark = pytest.mark.usefixtures("one_thread_per_module")


@pytest.fixture(scope="module")
def batch():
    """The notebook's section 3: 64 moons in float64 and the initial parameters."""
    moons = two_moons(n_train=200, n_val=200, noise=0.25, seed=0)
    x, y = moons.x_train[:64].double(), moons.y_train[:64]
    g = torch.Generator().manual_seed(0)
    params = {
        "W1": torch.randn(2, 16, generator=g, dtype=torch.float64) / 2**0.5,
        "b1": torch.zeros(16, dtype=torch.float64),
        "W2": torch.randn(16, 2, generator=g, dtype=torch.float64) / 16**0.5,
        "b2": torch.zeros(2, dtype=torch.float64),
    }
    logits = torch.tanh(x @ params["W1"]) @ params["W2"]
    return params, x, y, logits[:, 1] - logits[:, 0]


@pytest.fixture(scope="module")
def small():
    return two_moons(n_train=40, n_val=200, noise=0.3, seed=1)


@pytest.fixture(scope="module")
def digit_setup():
    """The notebook's digits, and a digit network: untrained here, its accuracy only quoted."""
    return digits(n_val=500, seed=0), make_mlp([64, 64, 10], activation="relu", seed=0)


# --- Exercise 1.1 · the step-0 loss from the logit gap -----------------------------------------


def signed(y):
    return 2 * y.double() - 1


def test_1_1_solution_passes_and_gives_the_printed_loss(batch):
    _, _, y, gap = batch
    feedback = ex.check_loss_from_gap(sol.loss_from_gap, gap, y)
    assert feedback.status == "correct", feedback.message
    assert feedback.message.startswith("1.3652")


def test_1_1_a_plain_float_in_float32_passes(batch):
    _, _, y, gap = batch
    as_float = lambda g, y: float(sol.loss_from_gap(g.float(), y))  # noqa: E731
    assert ex.check_loss_from_gap(as_float, gap, y).passed


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda g, y: torch.tensor(math.log(2)), "that is ln 2"),
        (lambda g, y: -torch.log(torch.sigmoid(-signed(y) * g)).mean(), "the other class"),
        (lambda g, y: -torch.log(torch.sigmoid(g)).mean(), "whatever its label"),
        (lambda g, y: -torch.log(torch.sigmoid(signed(y) * g)), "one loss per point"),
        (lambda g, y: -torch.log(torch.sigmoid(signed(y) * g)).sum(), "summed over the batch"),
        (lambda g, y: -torch.log2(torch.sigmoid(signed(y) * g)).mean(), "log base 2"),
        (lambda g, y: torch.log(torch.sigmoid(signed(y) * g)).mean(), "sign is flipped"),
        (lambda g, y: g.mean(), "PyTorch's cross-entropy of these logits is 1.36524"),
    ],
)
def test_1_1_typical_mistakes_are_named(batch, answer, fragment):
    _, _, y, gap = batch
    assert_wrong(ex.check_loss_from_gap(answer, gap, y), fragment)


def test_1_1_empty_answers(batch):
    _, _, y, gap = batch
    assert ex.check_loss_from_gap(None, gap, y).status == "empty"
    assert ex.check_loss_from_gap(empty_function, gap, y).status == "empty"


# --- Exercise 1.2 · backpropagation through softplus -------------------------------------------


def softplus_grads_with(derivative, *, use_b1=True, scale=1.0):
    """A hand derivation of the softplus network with dH/dA = derivative(A, H)."""

    def gradients(params, x, y):
        a = x @ params["W1"] + (params["b1"] if use_b1 else 0)
        h = F.softplus(a)
        z = h @ params["W2"] + params["b2"]
        dz = scale * (z.softmax(dim=1) - F.one_hot(y, 2).double()) / len(y)
        da = (dz @ params["W2"].T) * derivative(a, h)
        return {"W1": x.T @ da, "b1": da.sum(dim=0), "W2": h.T @ dz, "b2": dz.sum(dim=0)}

    return gradients


def test_1_2_solution_passes(batch):
    params, x, y, _ = batch
    assert ex.check_softplus_gradients(sol.softplus_gradients, params, x, y).status == "correct"


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (softplus_grads_with(lambda a, h: 1 - h**2), "kept tanh's derivative"),
        (softplus_grads_with(lambda a, h: torch.sigmoid(h)), "σ of H"),
        (
            softplus_grads_with(lambda a, h: torch.sigmoid(a) * (1 - torch.sigmoid(a))),
            "derivative of the sigmoid",
        ),
        (softplus_grads_with(lambda a, h: torch.sigmoid(a), scale=64), "64 times too large"),
        (softplus_grads_with(lambda a, h: torch.sigmoid(a), use_b1=False), "leaves out b1"),
        (softplus_grads_with(lambda a, h: torch.sigmoid(a) + 0.1), "b2 and W2 are right"),
        (lambda p, x, y: {"W1": 0, "b1": 0}, "no 'W2', 'b2'"),
        (lambda p, x, y: [1, 2, 3, 4], "should return a dict"),
    ],
)
def test_1_2_typical_mistakes_are_named(batch, answer, fragment):
    params, x, y, _ = batch
    assert_wrong(ex.check_softplus_gradients(answer, params, x, y), fragment)


def test_1_2_a_wrong_bias_gradient_is_named(batch):
    params, x, y, _ = batch

    def wrong_b1(params, x, y):
        grads = sol.softplus_gradients(params, x, y)
        return {**grads, "b1": grads["b1"].flip(0)}

    assert_wrong(ex.check_softplus_gradients(wrong_b1, params, x, y), "the gradient for b1")


def test_1_2_empty_answers(batch):
    params, x, y, _ = batch
    assert ex.check_softplus_gradients(None, params, x, y).status == "empty"
    assert ex.check_softplus_gradients(empty_function, params, x, y).status == "empty"


# --- Exercise 1.3 · one pixel order per image ---------------------------------------------------


def test_1_3_solution_passes_and_measures_the_network(digit_setup):
    data, model = digit_setup
    feedback = ex.check_shuffle_each(sol.shuffle_each, data, model)
    assert feedback.status == "correct", feedback.message
    assert "/500 on the original pixels" in feedback.message


def test_1_3_a_loop_of_randperm_gives_orders_of_their_own():
    def per_row(x, seed):
        g = torch.Generator().manual_seed(seed)
        return torch.stack([row[torch.randperm(len(row), generator=g)] for row in x])

    assert ex._check_orders(per_row) is None  # the same verdict; the training is the same too


SHARED = torch.randperm(64, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda x, seed: x[:, SHARED], "the notebook's shuffle"),
        (lambda x, seed: x.flip(0), "shuffled the order of the images"),
        (
            lambda x, seed: x.flatten()[torch.randperm(x.numel())].reshape(x.shape),
            "moved from one image to another",
        ),
        (lambda x, seed: x.gather(1, torch.rand(x.shape).argsort(dim=1)), "same seed"),
        (lambda x, seed: x.clone(), "unchanged"),
        (lambda x, seed: x * 2, "changed pixel values"),
        (lambda x, seed: x[:, :32], "shape (20, 32)"),
    ],
)
def test_1_3_typical_mistakes_are_named(digit_setup, answer, fragment):
    data, model = digit_setup
    assert_wrong(ex.check_shuffle_each(answer, data, model), fragment)


def test_1_3_empty_answers(digit_setup):
    data, model = digit_setup
    assert ex.check_shuffle_each(None, data, model).status == "empty"
    assert ex.check_shuffle_each(empty_function, data, model).status == "empty"


# --- Exercise 1.4 · early stopping in one run ---------------------------------------------------


def early_stopping_variant(*, save=copy.deepcopy, weight_decay=0.0, by_train=False, shift=0):
    """The solution's loop with one thing changed: how it saves, decays, chooses, counts."""

    def fit(model, data, loss_fn, *, learning_rate, steps):
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=learning_rate, weight_decay=weight_decay
        )
        best_loss, best_step, best_state = float("inf"), 0, None
        for step in range(1, steps + 1):
            loss = loss_fn(model(data.x_train), data.y_train)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                watched = (data.x_train, data.y_train) if by_train else (data.x_val, data.y_val)
                value = loss_fn(model(watched[0]), watched[1]).item()
            if value < best_loss:
                best_loss, best_step, best_state = value, step, save(model.state_dict())
        model.load_state_dict(best_state)
        return best_step + shift

    return fit


def test_1_4_solution_passes(small):
    feedback = ex.check_early_stopping(sol.fit_early_stopping, small)
    assert feedback.status == "correct", feedback.message
    assert feedback.message.startswith("step 174 of 250")  # section 7's table: width 64, 174


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (early_stopping_variant(save=lambda state: state), "your copy was not a copy"),
        (early_stopping_variant(shift=-1), "an index counted from 0"),
        (early_stopping_variant(by_train=True), "by the training loss"),
        (early_stopping_variant(weight_decay=0.01), "default weight_decay is 0.01"),
        (lambda model, data, loss_fn, **kw: 3, "is untrained"),
    ],
)
def test_1_4_typical_mistakes_are_named(small, answer, fragment):
    assert_wrong(ex.check_early_stopping(answer, small), fragment)


def test_1_4_an_answer_that_changes_its_data_leaves_the_notebooks_alone(small):
    kept = copy.deepcopy(small)

    def spoiling(model, data, loss_fn, **training):
        data.y_val.zero_()
        return sol.fit_early_stopping(model, data, loss_fn, **training)

    ex.check_early_stopping(spoiling, small)
    assert all(torch.equal(getattr(small, f), getattr(kept, f)) for f in vars(kept))


def test_1_4_empty_answers(small):
    assert ex.check_early_stopping(None, small).status == "empty"
    assert ex.check_early_stopping(empty_function, small).status == "empty"


# --- Exercise 1.5 · predictions about the explorer ----------------------------------------------


def test_1_5_solution_passes(small):
    feedback = ex.check_explorer_predictions(sol.predictions, small)
    assert feedback.status == "correct", feedback.message


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({ex.SIGMOID_QUESTION: "no"}, "multiplied by 4 ends at 0.257 too"),
        ({ex.SIGMOID_QUESTION: "no"}, "a tanh twice as wide"),
        ({ex.LEARNING_RATE_QUESTION: "yes"}, "overshoot"),
        ({ex.SIGMOID_QUESTION: "maybe"}, 'with "yes" or "no"'),
    ],
)
def test_1_5_wrong_predictions_are_explained(small, change, fragment):
    assert_wrong(ex.check_explorer_predictions({**sol.predictions, **change}, small), fragment)


def test_1_5_the_explanation_holds_under_adamw(small):
    """What the feedback says about sigmoid, measured on the explorer's runs.

    AdamW cancels a constant factor on the gradient (so σ' <= 1/4 is not the cause), while a
    tanh as wide as a sigmoid lags as the sigmoid does.
    """
    runs = ex._explorer_measurements(small)
    tanh, sigmoid = runs["start"].train_loss[-1], runs["sigmoid"].train_loss[-1]
    assert runs["steeper"].train_loss[-1] == pytest.approx(sigmoid, abs=1e-3)
    assert runs["wide tanh"].train_loss[-1] > (tanh + sigmoid) / 2
    assert ex._rises(runs["fast"].train_loss) > 0


def test_1_5_the_correct_answer_also_gets_the_mechanism(small):
    feedback = ex.check_explorer_predictions(sol.predictions, small)
    assert "Not because σ' is at most 1/4" in feedback.message


def test_1_5_bools_count_as_yes_and_no(small):
    as_bools = {question: answer == "yes" for question, answer in sol.predictions.items()}
    assert ex.check_explorer_predictions(as_bools, small).passed


def test_1_5_a_renamed_question_is_named(small):
    assert_wrong(ex.check_explorer_predictions({"sigmoid": "yes"}, small), "keep both questions")


def test_1_5_empty_answers(small):
    shipped = dict.fromkeys(sol.predictions)  # the answer cell as shipped: both None
    assert ex.check_explorer_predictions(shipped, small).status == "empty"
    assert ex.check_explorer_predictions(None, small).status == "empty"


# --- every check, given garbage -----------------------------------------------------------------


def test_checks_return_feedback_for_garbage(batch, small, digit_setup):
    params, x, y, gap = batch
    data, model = digit_setup
    calls = [
        lambda answer: ex.check_loss_from_gap(answer, gap, y),
        lambda answer: ex.check_softplus_gradients(answer, params, x, y),
        lambda answer: ex.check_shuffle_each(answer, data, model),
        lambda answer: ex.check_early_stopping(answer, small),
        lambda answer: ex.check_explorer_predictions(answer, small),
    ]
    assert_all_wrong(calls, ["a string", raises, 42, {"W1": "x"}])


def test_in_chinese_each_check_says_not_attempted_and_correct_in_chinese(
    chinese, batch, small, digit_setup
):
    params, x, y, gap = batch
    checks = [
        (ex.check_loss_from_gap, sol.loss_from_gap, (gap, y)),
        (ex.check_softplus_gradients, sol.softplus_gradients, (params, x, y)),
        (ex.check_shuffle_each, sol.shuffle_each, digit_setup),
        (ex.check_early_stopping, sol.fit_early_stopping, (small,)),
        (ex.check_explorer_predictions, sol.predictions, (small,)),
    ]
    for check, answer, args in checks:
        assert_chinese(check(None, *args), "empty")
        assert_chinese(check(answer, *args), "correct")

"""The checks of notebook 01's exercises (each returns a feedback.Feedback, never raises).

Notebook 01 (the multilayer perceptron from the ground up) has five exercises:

- 1.1 ``check_loss_from_gap``: the two-class cross-entropy written with the sigmoid of the logit
  gap, on the notebook's untrained batch (why its loss is not ln 2);
- 1.2 ``check_softplus_gradients``: backpropagation by hand through a softplus hidden layer,
  against autograd, naming the gradient that is off;
- 1.3 ``check_shuffle_each``: a pixel order of its own for every digit image, then the same
  training as the notebook's, to measure what the network makes of it;
- 1.4 ``check_early_stopping``: early stopping in a single run, keeping a copy of the best
  weights (the copy that is not a copy is the classic bug);
- 1.5 ``check_explorer_predictions``: two predictions about the decision-boundary explorer
  (a sigmoid hidden layer, a learning rate of 1), judged by running those settings.

Every reference answer is computed here, from PyTorch (``F.cross_entropy``, autograd) and from
the package (``toy_models.make_mlp`` and ``fit_full_batch``, the loop the notebook checked
against its own); every typical wrong answer is recognised by computing it too, so that the
sentence names the mistake, not just the difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.exercises.feedback import (
    Feedback,
    Rejected,
    as_tensor,
    as_whole_number,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    require,
    tensors_close,
    wrong,
)
from ngram_helpers.toy_data import Split
from ngram_helpers.toy_models import Curves, binary_loss, fit_full_batch, make_mlp

# ---------------------------------------------------------------------------------------------
# Exercise 1.1 · the step-0 loss from the logit gap


def _gap_loss(gap: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """PyTorch's cross-entropy of the logits (0, gap): softmax only sees the difference."""
    logits = torch.stack([torch.zeros_like(gap), gap], dim=1)
    return F.cross_entropy(logits, y)


def _gap_cases(gap: torch.Tensor, y: torch.Tensor) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(description, gap, labels): the notebook's batch, a batch of zero gaps, a random batch."""
    g = torch.Generator().manual_seed(11)
    random_gap = 3 * torch.randn(50, generator=g, dtype=torch.float64)
    random_y = torch.randint(0, 2, (50,), generator=g)
    return [
        ("On the notebook's batch", gap, y),
        ("For 6 points whose gap is 0", torch.zeros(6, dtype=torch.float64), torch.arange(6) % 2),
        ("For 50 random gaps", random_gap, random_y),
    ]


def _gap_mistakes(gap: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """What a typical wrong ``loss_from_gap`` returns for (gap, y), and what went wrong."""
    sign = 2 * y.double() - 1  # +1 where the correct class is 1, -1 where it is 0
    per_point = -F.logsigmoid(sign * gap)
    mean = per_point.mean()
    return [
        (
            per_point,
            "you return one loss per point; the loss of the batch is their mean, one number",
        ),
        (
            torch.tensor(math.log(2), dtype=torch.float64),
            "that is ln 2, the loss of a model that says 50/50 for every point; this model's "
            "gaps are not 0, so its loss is not ln 2",
        ),
        (
            (-F.logsigmoid(-sign * gap)).mean(),
            "you scored the other class: the correct class has probability σ(gap) where y = 1 "
            "and 1 − σ(gap) = σ(−gap) where y = 0",
        ),
        (
            (-F.logsigmoid(gap)).mean(),
            "you used σ(gap) for every point, whatever its label: where y = 0 the correct "
            "class has probability 1 − σ(gap)",
        ),
        (
            (-F.logsigmoid(-gap)).mean(),
            "you used 1 − σ(gap) for every point, whatever its label: where y = 1 the correct "
            "class has probability σ(gap)",
        ),
        (per_point.sum(), "you summed over the batch; the cross-entropy is the mean"),
        (mean / math.log(2), "you used log base 2; PyTorch's cross-entropy uses the natural log"),
        (mean / math.log(10), "you used log base 10; PyTorch's cross-entropy uses the natural log"),
        (-mean, "the sign is flipped: the loss is −log p, which is positive"),
        (
            (1 - torch.sigmoid(sign * gap)).mean(),
            "that is the mean of 1 − p(correct class); the cross-entropy is the mean of −log p",
        ),
    ]


@checked
def check_loss_from_gap(
    loss_from_gap: Callable[[torch.Tensor, torch.Tensor], object] | None,
    gap: torch.Tensor,
    y: torch.Tensor,
) -> Feedback:
    """Exercise 1.1: ``loss_from_gap(gap, y)`` is the two-class cross-entropy, from z1 − z0 alone.

    ``gap`` and ``y`` are the notebook's logit gaps and labels at step 0. The answer is compared
    with ``F.cross_entropy`` of the logits (0, gap) there, on gaps of 0 (where it must be ln 2)
    and on random gaps; ln 2 itself, the other class's probability, a sum, another log base and
    a flipped sign are each named.
    """
    if loss_from_gap is None:
        return not_attempted("Write `loss_from_gap` in the cell above")
    require(callable(loss_from_gap), "loss_from_gap should be a function (def ...)")
    gap, y = torch.as_tensor(gap, dtype=torch.float64), torch.as_tensor(y).long()
    for where, case_gap, case_y in _gap_cases(gap, y):
        got = loss_from_gap(case_gap.clone(), case_y.clone())
        if got is None:
            return not_attempted("Fill in the body of `loss_from_gap` in the cell above")
        got = as_tensor(got, "loss_from_gap(gap, y)")
        expected = _gap_loss(case_gap, case_y)
        if got.numel() == 1 and tensors_close(got.reshape(()), expected, atol=1e-7):
            continue
        for mistake, message in _gap_mistakes(case_gap, case_y):
            if tensors_close(got.squeeze(), mistake.squeeze(), atol=1e-7):
                return wrong(f"{where}: {message}")
        require(
            got.numel() == 1,
            f"{where} loss_from_gap returns shape {tuple(got.shape)}; it should be one number",
        )
        return wrong(
            f"{where} loss_from_gap gives {got.item():.6g}; PyTorch's cross-entropy of these "
            f"logits is {expected.item():.6g}"
        )
    at_start = _gap_loss(gap, y).item()
    return correct(
        f"{at_start:.4f} on the notebook's batch, the loss forward printed, and ln 2 only where "
        "every gap is 0. With two classes softmax is the sigmoid of the gap: a point whose gap "
        "points the wrong way costs −log σ(−|gap|), about |gap| once the gap is a few units, "
        "while one pointing the right way saves at most ln 2: that drags the mean above ln 2."
    )


# ---------------------------------------------------------------------------------------------
# Exercise 1.2 · backpropagation through softplus

GRADIENT_NAMES = ("b2", "W2", "b1", "W1")  # from the loss backwards
GRADIENT_ATOL = 1e-8  # float64 arithmetic agrees to ~1e-16; float32 would not pass


def _gradient_difference(got: torch.Tensor, expected: torch.Tensor, name: str) -> str:
    """How the gradient for ``name`` differs from autograd's, as a clause.

    ``compare_tensors`` names a shape, a sign or a constant factor. A difference below 0.1% of
    the gradient's size is given as a plain difference instead: with two classes db2 is always
    (a, −a), so even a small slip would read as a factor of "1 times".
    """
    label = f"the gradient for {name}"
    if got.shape == expected.shape and torch.isfinite(got).all():
        error = (got - expected).abs().max().item()
        if error < 1e-3 * expected.abs().max().item():
            return (
                f"{label} differs from autograd's by up to {error:.3g}, more than rounding "
                f"(float64 agrees to {GRADIENT_ATOL:g})"
            )
    feedback = compare_tensors(got, expected, label, atol=GRADIENT_ATOL)
    return feedback.message if feedback is not None else f"{label} is off"


def _hand_gradients(
    params: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    activation: Callable[[torch.Tensor], torch.Tensor],
    derivative: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> dict[str, torch.Tensor]:
    """The notebook's chain rule with H = activation(A) and dH/dA = derivative(A, H)."""
    a = x @ params["W1"] + params["b1"]
    h = activation(a)
    logits = h @ params["W2"] + params["b2"]
    d_logits = (logits.softmax(dim=1) - F.one_hot(y, logits.shape[1]).double()) / len(y)
    d_a = (d_logits @ params["W2"].T) * derivative(a, h)
    return {"W1": x.T @ d_a, "b1": d_a.sum(dim=0), "W2": h.T @ d_logits, "b2": d_logits.sum(dim=0)}


def _softplus_autograd(
    params: Mapping[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The reference: autograd through the softplus network's cross-entropy."""
    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in params.items()}
    h = F.softplus(x @ leaves["W1"] + leaves["b1"])
    F.cross_entropy(h @ leaves["W2"] + leaves["b2"], y).backward()
    return {name: p.grad for name, p in leaves.items()}


def _softplus_mistakes(
    params: Mapping[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor
) -> list[tuple[dict[str, torch.Tensor], str]]:
    """The gradients a typical wrong ``softplus_gradients`` returns, and what went wrong."""
    sigmoid = torch.sigmoid
    cases = [
        (
            F.softplus,
            lambda a, h: 1 - h**2,
            "you kept tanh's derivative 1 − H²; the derivative of softplus is σ(A)",
        ),
        (
            F.softplus,
            lambda a, h: sigmoid(h),
            "you took σ of H, the output; the derivative of softplus is σ of its input A",
        ),
        (
            F.softplus,
            lambda a, h: h,
            "you multiplied by softplus(A) itself; dH/dA is its derivative, σ(A)",
        ),
        (
            F.softplus,
            lambda a, h: sigmoid(a) * (1 - sigmoid(a)),
            "σ(A)(1 − σ(A)) is the derivative of the sigmoid; softplus's derivative is σ(A) itself",
        ),
        (
            F.softplus,
            lambda a, h: (a > 0).double(),
            "that is ReLU's derivative, 0 or 1; softplus is a smooth ReLU whose derivative is the "
            "smooth step σ(A)",
        ),
        (
            torch.tanh,
            lambda a, h: 1 - h**2,
            "these are the gradients of the notebook's tanh network: the hidden layer must "
            "compute H = softplus(A)",
        ),
    ]
    mistakes = [
        (_hand_gradients(params, x, y, activation, derivative), message)
        for activation, derivative, message in cases
    ]
    without_b1 = {**params, "b1": torch.zeros_like(params["b1"])}
    mistakes.append(
        (
            _hand_gradients(without_b1, x, y, F.softplus, lambda a, h: sigmoid(a)),
            "your forward pass leaves out b1: A = XW1 + b1 (the notebook's b1 starts at 0, "
            "which hides it)",
        )
    )
    right = _hand_gradients(params, x, y, F.softplus, lambda a, h: sigmoid(a))
    n = len(y)
    mistakes.append(
        (
            {name: n * grad for name, grad in right.items()},
            f"every gradient is {n} times too large, the batch size: the loss is the mean over "
            "the batch, so dZ = (P − Y) / N",
        )
    )
    return mistakes


def _softplus_cases(
    params: Mapping[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor
) -> list[tuple[str, dict[str, torch.Tensor], torch.Tensor, torch.Tensor]]:
    """The notebook's parameters and batch, then 8 hidden units with nonzero biases."""
    g = torch.Generator().manual_seed(5)
    other = {
        "W1": torch.randn(2, 8, generator=g, dtype=torch.float64),
        "b1": torch.randn(8, generator=g, dtype=torch.float64),
        "W2": torch.randn(8, 2, generator=g, dtype=torch.float64),
        "b2": torch.randn(2, generator=g, dtype=torch.float64),
    }
    other_x = torch.randn(20, 2, generator=g, dtype=torch.float64)
    other_y = torch.randint(0, 2, (20,), generator=g)
    mine = {name: torch.as_tensor(p, dtype=torch.float64).detach() for name, p in params.items()}
    return [
        ("With the notebook's parameters and batch", mine, x.double(), y.long()),
        ("With 8 hidden units, nonzero biases and 20 points", other, other_x, other_y),
    ]


def _as_gradients(got: object) -> Mapping[str, object]:
    """The learner's gradients as a mapping with the four names, or a "not yet"."""
    message = "softplus_gradients should return a dict with keys 'W1', 'b1', 'W2', 'b2'"
    require(isinstance(got, Mapping), f"{message}, like hand_gradients; not {type(got).__name__}")
    missing = [name for name in GRADIENT_NAMES[::-1] if name not in got]
    require(not missing, f"{message}; yours has no {', '.join(map(repr, missing))}")
    return got


@checked
def check_softplus_gradients(
    softplus_gradients: Callable[..., object] | None,
    params: Mapping[str, torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
) -> Feedback:
    """Exercise 1.2: hand-written gradients of the moons network with a softplus hidden layer.

    ``params``, ``x`` and ``y`` are the notebook's (float64); a second case has other sizes and
    nonzero biases. Each gradient is compared with autograd, from the loss backwards (b2, W2,
    then b1, W1), so the sentence says where the chain first breaks; tanh's derivative, σ(H)
    instead of σ(A), the sigmoid's own derivative and the tanh network are each named.
    """
    if softplus_gradients is None:
        return not_attempted("Write `softplus_gradients` in the cell above")
    require(callable(softplus_gradients), "softplus_gradients should be a function (def ...)")
    for where, case_params, case_x, case_y in _softplus_cases(params, x, y):
        got = softplus_gradients(
            {name: p.clone() for name, p in case_params.items()}, case_x.clone(), case_y.clone()
        )
        if got is None:
            return not_attempted("Fill in the body of `softplus_gradients` in the cell above")
        got = _as_gradients(got)
        grads = {name: as_tensor(got[name], f"the gradient for {name}") for name in GRADIENT_NAMES}
        expected = _softplus_autograd(case_params, case_x, case_y)
        first_off = next(
            (n for n in GRADIENT_NAMES if not tensors_close(grads[n], expected[n], GRADIENT_ATOL)),
            None,
        )
        if first_off is None:
            continue
        for mistake, message in _softplus_mistakes(case_params, case_x, case_y):
            if all(tensors_close(grads[n], mistake[n], GRADIENT_ATOL) for n in GRADIENT_NAMES):
                return wrong(f"{where}: {message}")
        difference = _gradient_difference(grads[first_off], expected[first_off], first_off)
        if first_off == "b1":  # b2 and W2 are right: the chain breaks at the activation
            return wrong(
                f"{where}, b2 and W2 are right but {difference}: look at the step from dH to "
                "dA, the only one that changed"
            )
        return wrong(f"{where}, {difference}")
    return correct(
        "all four gradients match autograd, on the notebook's batch and on a network with other "
        "sizes. Only one line changed from tanh: dA = dH ⊙ σ(A). Unlike tanh, softplus's "
        "derivative is not a function of H alone that you can reuse, so keep A from the forward "
        "pass."
    )


# ---------------------------------------------------------------------------------------------
# Exercise 1.3 · one pixel order per image

DIGIT_SIZES = [64, 64, 10]


def _probe_images(n: int = 20, pixels: int = 64) -> torch.Tensor:
    """Images whose pixel values are all different: where each value went shows the order."""
    return (torch.arange(pixels) + 100.0 * torch.arange(n)[:, None]) / (100.0 * n)


def _as_images(got: object, shape: tuple[int, ...]) -> torch.Tensor:
    """The learner's images, checked to be a tensor of ``shape``, as float64; or a "not yet"."""
    require(
        isinstance(got, torch.Tensor),
        f"shuffle_each should return a tensor, not {type(got).__name__}",
    )
    require(
        tuple(got.shape) == shape,
        f"shuffle_each returns shape {tuple(got.shape)}; it should be {shape}, the shape of x",
    )
    return got.double()


def _check_orders(shuffle_each: Callable[[torch.Tensor, int], object]) -> Feedback | None:
    """None if ``shuffle_each`` gives every probe image an order of its own, else a "not yet"."""
    probe = _probe_images()
    got = shuffle_each(probe.clone(), 0)
    if got is None:
        return not_attempted("Fill in the body of `shuffle_each` in the cell above")
    got = _as_images(got, tuple(probe.shape))
    require(
        torch.equal(got.flatten().sort().values, probe.double().flatten().sort().values),
        "shuffle_each changed pixel values; it should only move pixels, never alter them",
    )
    same_rows = (got[:, None, :] == probe.double()[None, :, :]).all(dim=2)  # (out row, in row)
    require(
        not (same_rows.any(dim=1).all() and not same_rows.diagonal().all()),
        "you shuffled the order of the images; keep the images where they are and shuffle the "
        "pixels inside each one",
    )
    require(
        torch.equal(got.sort(dim=1).values, probe.double().sort(dim=1).values),
        "pixels moved from one image to another: shuffle within each row of x, never across rows",
    )
    order = (got * 100 * len(probe)).round().long() % 100  # the original position of each pixel
    require(
        not torch.equal(order, torch.arange(64).expand_as(order)),
        "shuffle_each returns the images unchanged: reorder the pixels of each one",
    )
    require(
        not (order == order[0]).all(),
        "every image got the same order: that is the notebook's shuffle. Draw a new permutation "
        "for each image",
    )
    repeated = shuffle_each(probe.clone(), 0)
    require(
        isinstance(repeated, torch.Tensor) and torch.equal(repeated.double(), got),
        "two calls with the same seed give different orders: draw them from a "
        "torch.Generator seeded with `seed`, so the run can be repeated",
    )
    return None


def _val_accuracy(model: nn.Module, data: Split) -> int:
    with torch.no_grad():
        return int((model(data.x_val).argmax(dim=1) == data.y_val).sum())


@checked
def check_shuffle_each(
    shuffle_each: Callable[[torch.Tensor, int], object] | None,
    digit_data: Split,
    digit_model: nn.Module,
) -> Feedback:
    """Exercise 1.3: ``shuffle_each(x, seed)`` gives each row of ``x`` a pixel order of its own.

    First the orders are read off probe images whose pixel values all differ (a shared order,
    shuffled images instead of pixels, pixels moved between images are each named). Then, as an
    experiment, the notebook's digit network is trained in the notebook's way on per-image
    shuffled digits and its validation accuracy is set against ``digit_model``'s.
    """
    if shuffle_each is None:
        return not_attempted("Write `shuffle_each` in the cell above")
    require(callable(shuffle_each), "shuffle_each should be a function (def ...)")
    problem = _check_orders(shuffle_each)
    if problem is not None:
        return problem
    x_train, x_val = (
        _as_images(shuffle_each(x.clone(), seed), tuple(x.shape)).float()
        for x, seed in [(digit_data.x_train, 0), (digit_data.x_val, 1)]
    )
    shuffled = Split(x_train, digit_data.y_train, x_val, digit_data.y_val)
    model = make_mlp(DIGIT_SIZES, activation="relu", seed=0)  # the notebook's digit_model
    fit_full_batch(model, shuffled, F.cross_entropy, learning_rate=0.01, steps=150)
    n_val = len(digit_data.y_val)
    mode = int(torch.bincount(digit_data.y_val).max())
    return correct(
        f"every image has an order of its own. Trained the same way, the network now gets "
        f"{_val_accuracy(model, shuffled)}/{n_val} validation images right, against "
        f"{_val_accuracy(digit_model, digit_data)}/{n_val} on the original pixels (always "
        f"answering the most common digit gets {mode}/{n_val}). A weight belongs to an input "
        "position, so it can only learn if that position holds the same pixel in every image; "
        "all that survives a different order per image is how much ink there is."
    )


# ---------------------------------------------------------------------------------------------
# Exercise 1.4 · early stopping in one run

EARLY_STOP_SIZES = [2, 64, 1]
EARLY_STOP_TRAINING = dict(learning_rate=0.01, steps=250)
_reference_runs: dict[tuple[int, float], tuple[Split, Curves]] = {}


def _reference_run(data: Split, weight_decay: float = 0.0) -> Curves:
    """The curves of ``fit_full_batch`` on the exercise's network (kept per data set)."""
    key = (id(data), weight_decay)
    if key not in _reference_runs or _reference_runs[key][0] is not data:
        model = make_mlp(EARLY_STOP_SIZES, seed=0)
        curves = fit_full_batch(
            model, data, binary_loss, weight_decay=weight_decay, **EARLY_STOP_TRAINING
        )
        _reference_runs[key] = (data, curves)
    return _reference_runs[key][1]


def _lowest(curve: list[float]) -> int:
    """The step (counting from 1) at which ``curve`` is lowest, the first one if tied."""
    return min(range(len(curve)), key=curve.__getitem__) + 1


@checked
def check_early_stopping(fit_early_stopping: Callable[..., object] | None, data: Split) -> Feedback:
    """Exercise 1.4: ``fit_early_stopping`` trains once and leaves the model at its best step.

    It trains ``make_mlp([2, 64, 1], seed=0)`` on ``data`` (the notebook's 40 noisy moons) for
    250 steps at learning rate 0.01, then compares the step it returns and the validation loss
    of the model it leaves with ``fit_full_batch``'s curve for the same run. Final weights (a
    state_dict saved without copying), an index counted from 0, weights one step early, a step
    chosen by training loss and AdamW's default weight decay are each named.
    """
    if fit_early_stopping is None:
        return not_attempted("Write `fit_early_stopping` in the cell above")
    require(callable(fit_early_stopping), "fit_early_stopping should be a function (def ...)")
    model = make_mlp(EARLY_STOP_SIZES, seed=0)
    with torch.no_grad():
        untrained = binary_loss(model(data.x_val), data.y_val).item()
    got = fit_early_stopping(model, data, binary_loss, **EARLY_STOP_TRAINING)
    if got is None:
        return not_attempted("Fill in the body of `fit_early_stopping` in the cell above")
    step = as_whole_number(got, "the step fit_early_stopping returns")
    with torch.no_grad():
        kept = binary_loss(model(data.x_val), data.y_val).item()
    curves = _reference_run(data)
    val, n_steps = curves.val_loss, len(curves.val_loss)
    best = _lowest(val)
    kept_text = f"the model you leave has validation loss {kept:.4f}"

    def at(s: int) -> bool:  # the kept weights are those of step s
        return 1 <= s <= n_steps and abs(kept - val[s - 1]) < 1e-6

    require(
        abs(kept - untrained) > 1e-9,
        "the model you were given is untrained: train it, not a new one, and leave the best "
        "weights in it",
    )
    if at(best):
        require(
            step != best - 1,
            f"the model is right, but you return {step}, an index counted from 0: steps count "
            f"from 1, so the lowest validation loss is at step {best}",
        )
        require(
            step == best,
            f"the model is right, but the lowest validation loss is at step {best}, not {step}",
        )
        return correct(
            f"step {best} of {n_steps}, validation loss {val[best - 1]:.4f} (it ends at "
            f"{val[-1]:.4f}), in one run: exactly the weights that section 7 got back by "
            "retraining from the same seed."
        )
    require(
        not (step == n_steps == _lowest(curves.train_loss) and at(n_steps)),
        f"you chose step {step}, the last, by the training loss, which keeps falling; early "
        "stopping watches the validation loss",
    )
    require(
        not at(n_steps),
        f"{kept_text}, the value after the last step: your copy was not a copy, or you never "
        "loaded it back. model.state_dict() returns the live tensors, which the optimizer keeps "
        "changing; save copy.deepcopy(model.state_dict()) and load_state_dict it at the end",
    )
    require(
        not (at(step - 1) and step == best),
        f"you return the right step, {best}, but keep the weights of step {best - 1}: measure "
        "the validation loss after optimizer.step(), and save the weights you measured",
    )
    decayed = _reference_run(data, weight_decay=0.01).val_loss
    require(
        abs(kept - min(decayed)) > 1e-6,
        "your run differs from train(): torch.optim.AdamW's default weight_decay is 0.01; pass "
        "weight_decay=0.0 as train() does",
    )
    for s in range(1, n_steps + 1):
        require(
            not at(s),
            f"{kept_text}, which is step {s}'s; the lowest validation loss, "
            f"{val[best - 1]:.4f}, is at step {best}",
        )
    return wrong(
        f"{kept_text}; the same training as train() in section 6 reaches {val[best - 1]:.4f} "
        f"at step {best}. Train with AdamW at the given learning rate (weight_decay 0) on the "
        "whole training set, one update per step"
    )


# ---------------------------------------------------------------------------------------------
# Exercise 1.5 · predictions about the explorer

EXPLORER_START = dict(activation="tanh", hidden_width=4, learning_rate=0.03, steps=300)
SIGMOID_QUESTION = "sigmoid ends with a higher train loss than tanh"
LEARNING_RATE_QUESTION = "at learning rate 1 the train loss falls at every step"
_explorer_runs: dict[int, tuple[Split, dict[str, Curves]]] = {}


class _SigmoidSteeperBackward(torch.autograd.Function):
    """A sigmoid whose backward multiplies the gradient by 4: σ' then peaks at 1, as tanh' does."""

    @staticmethod
    def forward(ctx, z: torch.Tensor) -> torch.Tensor:
        s = torch.sigmoid(z)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (s,) = ctx.saved_tensors
        return 4 * grad * s * (1 - s)


class _Unit(nn.Module):
    """A hidden-layer activation given as a function, for the runs that take sigmoid apart."""

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.fn(z)


def _explorer_run(
    data: Split, unit: Callable[[torch.Tensor], torch.Tensor] | None = None, **changes
) -> Curves:
    """What the explorer trains with its starting settings, ``changes`` applied.

    ``unit``, if given, replaces the hidden activation (the weights are drawn as before: an
    activation has none), for the runs that test why sigmoid units lag behind.
    """
    settings = {**EXPLORER_START, **changes}
    model = make_mlp([2, settings["hidden_width"], 1], settings["activation"], seed=0)
    if unit is not None:
        model[1] = _Unit(unit)
    return fit_full_batch(
        model,
        data,
        binary_loss,
        learning_rate=settings["learning_rate"],
        steps=settings["steps"],
    )


def _explorer_measurements(data: Split) -> dict[str, Curves]:
    """The explorer's runs on ``data`` (kept per data set).

    Besides the start, sigmoid and learning-rate-1 runs: sigmoid with a 4 times steeper backward
    pass (AdamW's rescaling makes it the same run), and tanh(z/2), a tanh as wide as a sigmoid.
    """
    if id(data) not in _explorer_runs or _explorer_runs[id(data)][0] is not data:
        runs = {
            "start": _explorer_run(data),
            "sigmoid": _explorer_run(data, activation="sigmoid"),
            "fast": _explorer_run(data, learning_rate=1.0),
            "steeper": _explorer_run(data, unit=_SigmoidSteeperBackward.apply),
            "wide tanh": _explorer_run(data, unit=lambda z: torch.tanh(z / 2)),
        }
        _explorer_runs[id(data)] = (data, runs)
    return _explorer_runs[id(data)][1]


def _rises(curve: list[float]) -> int:
    """At how many steps the loss went up."""
    return sum(later > earlier for earlier, later in zip(curve[:-1], curve[1:], strict=True))


def _yes_or_no(value: object, question: str) -> bool | None:
    """True for "yes", False for "no" (or the bools), None if not filled in; else a "not yet"."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("yes", "no"):
        raise Rejected(wrong(f'answer "{question}" with "yes" or "no", not {value!r}'))
    return text == "yes"


def _why_sigmoid_lags(runs: dict[str, Curves]) -> str:
    """What the runs say about the sigmoid network's higher loss, under AdamW."""
    return (
        "Not because σ' is at most 1/4: AdamW divides each parameter's gradient by its own "
        "running size, and the same sigmoid network with every gradient through its units "
        f"multiplied by 4 ends at {runs['steeper'].train_loss[-1]:.3f} too. What AdamW cannot "
        "rescale is the shape: σ(z) = 1/2 + tanh(z/2)/2 is a tanh twice as wide, whose units "
        "bend only for pre-activations twice as large, and AdamW moves a weight by rarely more "
        "than one learning rate per step, however steep the slope, so the weights take longer "
        "to grow that large. A tanh(z/2) network, as wide but centred at 0, ends at "
        f"{runs['wide tanh'].train_loss[-1]:.3f}"
    )


@checked
def check_explorer_predictions(predictions: Mapping[str, object] | None, data: Split) -> Feedback:
    """Exercise 1.5: yes/no predictions about two explorer settings, judged by running them.

    ``predictions`` maps :data:`SIGMOID_QUESTION` and :data:`LEARNING_RATE_QUESTION` to "yes" or
    "no"; ``data`` is the explorer's (the 40 noisy moons). The check trains the explorer's
    starting network, the same with sigmoid units and the same at learning rate 1, exactly as
    the explorer does (AdamW, from the same seed), and says what each run shows. Two more runs
    explain the sigmoid's result: its gradient multiplied by 4 (AdamW undoes that), and a tanh
    stretched to a sigmoid's width.
    """
    if predictions is None:
        return not_attempted("Fill in `predictions` in the cell above")
    require(
        isinstance(predictions, Mapping),
        f"predictions should be the dict of the cell above, not {type(predictions).__name__}",
    )
    questions = (SIGMOID_QUESTION, LEARNING_RATE_QUESTION)
    for question in questions:
        require(
            question in predictions,
            f"predictions has no entry {question!r}: keep both questions as given",
        )
    answers = {q: _yes_or_no(predictions[q], q) for q in questions}
    if any(answer is None for answer in answers.values()):
        return not_attempted('Answer both questions with "yes" or "no" in the cell above')
    runs = _explorer_measurements(data)
    start, sigmoid, fast = runs["start"], runs["sigmoid"], runs["fast"]
    n_steps = len(start.train_loss)
    slower = sigmoid.train_loss[-1] > start.train_loss[-1]
    smooth = _rises(fast.train_loss) == 0
    sigmoid_says = (
        f"after {n_steps} steps the sigmoid network's training loss is "
        f"{sigmoid.train_loss[-1]:.3f}, tanh's {start.train_loss[-1]:.3f}"
    )
    fast_says = (
        f"at learning rate 1 the training loss rises at {_rises(fast.train_loss)} of the "
        f"{n_steps} steps (at the explorer's {EXPLORER_START['learning_rate']}: "
        f"{_rises(start.train_loss)})"
    )
    why_slower = f". {_why_sigmoid_lags(runs)}" if slower else ""
    require(
        answers[SIGMOID_QUESTION] == slower,
        f"the run says {'yes' if slower else 'no'}: {sigmoid_says}{why_slower}",
    )
    why_rises = (
        ". AdamW's first step moves every weight by one whole learning rate, here 1, whatever "
        "the slope: steps that long overshoot the bottom of the valley and land higher up the "
        "other side"
        if not smooth
        else ""
    )
    require(
        answers[LEARNING_RATE_QUESTION] == smooth,
        f"the run says {'yes' if smooth else 'no'}: {fast_says}{why_rises}",
    )
    why = f" {_why_sigmoid_lags(runs)}." if slower else ""
    return correct(
        f"both predictions hold: {sigmoid_says}; {fast_says}.{why} Now set the explorer to each "
        "and look at the loss curve: the slow one is smooth, the fast one jagged."
    )

"""Worked solutions to the exercises of notebook 01, the multilayer perceptron from the ground up.

Try each exercise in the notebook before reading its solution here: the check cell tells you what
is wrong with an attempt, and working that out teaches more than reading the answer does. Each
solution has the name the notebook's answer cell expects, so you can paste it there, and the
comments explain the reasoning: why the answer is what it is, and what to notice.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.toy_data import Split

# =============================================================================================
# Exercise 1.1 · The step-0 loss from the logit gap
# =============================================================================================


def loss_from_gap(gap: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean two-class cross-entropy of points with logit gap ``gap`` = z1 − z0, (N,).

    Divide the top and the bottom of the softmax by e^{z1}:

        p(class 1) = e^{z1} / (e^{z0} + e^{z1}) = 1 / (1 + e^{−(z1 − z0)}) = σ(gap),

    and p(class 0) = 1 − σ(gap) = σ(−gap). Only the difference of the two logits matters (adding
    the same number to both changes nothing), which is why section 6.1 can use a single logit
    and a sigmoid for the same job.

    Write s = +1 where y = 1 and s = −1 where y = 0: the correct class then has probability
    σ(s · gap) for every point, and the loss is the mean of −log σ(s · gap). ``F.logsigmoid``
    computes log σ without ever forming σ (which would round to 0 or 1 for large gaps).

    What it says about the untrained network: a point with gap 0 costs ln 2. A point leaning the
    right way costs less, but never below 0; one leaning the wrong way by |gap| costs about |gap|
    once |gap| is a few units, without bound. Random weights give gaps of either sign, and the
    wrong-way points pull the mean well above ln 2. Scaling the initial W2 towards 0 shrinks the
    gaps and brings the step-0 loss down to ln 2, which is why careful initialisations start the
    output layer small.
    """
    sign = 2 * y.double() - 1
    return -F.logsigmoid(sign * gap).mean()


# =============================================================================================
# Exercise 1.2 · Backpropagation through softplus
# =============================================================================================


def softplus_gradients(
    params: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The gradients of the moons network with H = softplus(A) instead of tanh, by hand.

    softplus(a) = log(1 + e^a) is a smooth ReLU: about 0 for very negative a, about a for large
    a. Its derivative is

        d/da log(1 + e^a) = e^a / (1 + e^a) = σ(a),

    the sigmoid of section 2: a smooth version of ReLU's 0-or-1 step.

    Everything above the hidden layer is the same as in the notebook (dZ, dW2, db2, dH do not
    care which activation made H). Only the step through the activation changes:
    dA = dH ⊙ σ(A). Notice that it needs A, the pre-activation. For tanh the derivative
    1 − tanh²(A) could be written with H alone; for softplus it cannot (σ(H) is a different
    number), so the forward pass must keep A. The layer below then uses dA exactly as before.

    The check compares with autograd on two networks: the notebook's, whose biases start at 0,
    and one with nonzero biases and other sizes, which catches a forgotten bias or a size typed
    in as a number.
    """
    a = x @ params["W1"] + params["b1"]
    h = F.softplus(a)
    logits = h @ params["W2"] + params["b2"]
    d_logits = (logits.softmax(dim=1) - F.one_hot(y, logits.shape[1]).double()) / len(y)
    d_h = d_logits @ params["W2"].T
    d_a = d_h * torch.sigmoid(a)  # the one line that differs from tanh
    return {"W1": x.T @ d_a, "b1": d_a.sum(dim=0), "W2": h.T @ d_logits, "b2": d_logits.sum(dim=0)}


# =============================================================================================
# Exercise 1.3 · One pixel order per image
# =============================================================================================


def shuffle_each(x: torch.Tensor, seed: int) -> torch.Tensor:
    """``x`` (N, 64) with the pixels of each row put in a random order of that row's own.

    ``torch.rand`` gives every pixel of every image a random key; sorting the keys along each
    row (``argsort(dim=1)``) gives one independent random permutation per row, all at once, and
    ``gather`` reads each row in its own order. A loop calling ``torch.randperm`` once per image
    does the same, only more slowly. A ``torch.Generator`` seeded with ``seed`` makes the draw
    repeatable, and ``x[:, perm]`` with a single ``perm`` would be the notebook's shuffle again.

    The experiment: with one shared permutation input i always holds the same pixel, so the
    network simply learns other weights and does as well as before. With an order per image,
    input i holds a different pixel in every image, and the weight attached to it cannot stand
    for any place on the digit. What is left is how many pixels are dark and how dark, which
    says little about which digit it is: the check measures the accuracy fall close to
    guessing. An MLP does not need neighbouring pixels to be neighbours, but it does need each
    input to mean the same thing in every example. That is also why notebook 02 puts each
    context position in its own fixed slot of the input.
    """
    generator = torch.Generator().manual_seed(seed)
    keys = torch.rand(x.shape, generator=generator)
    return x.gather(1, keys.argsort(dim=1))


# =============================================================================================
# Exercise 1.4 · Early stopping in one run
# =============================================================================================


def fit_early_stopping(
    model: nn.Module, data: Split, loss_fn, *, learning_rate: float, steps: int
) -> int:
    """Train ``model`` like ``train`` of section 6; leave it at its best step and return that step.

    The loop is section 6's (AdamW, the whole training set at each step, weight_decay 0: AdamW's
    own default is 0.01, which would be another run). After each update it measures the
    validation loss, and whenever that is the lowest so far it saves the weights.

    The saving is the subtle part. ``model.state_dict()`` does not copy anything: it returns the
    model's own parameter tensors, and ``optimizer.step()`` changes those in place. A "saved"
    state_dict therefore keeps changing with the model, and loading it at the end gives the last
    step's weights. ``copy.deepcopy`` makes a real copy, frozen at the step it was taken.

    Steps count from 1, like ``Curves.step``: the first update is step 1, and the weights saved
    after it are step 1's. With the check's run (64 hidden units, 250 steps) the best step is the
    one section 7's table reports for width 64, found here in one run instead of two.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    best_loss, best_step, best_state = float("inf"), 0, None
    for step in range(1, steps + 1):
        loss = loss_fn(model(data.x_train), data.y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            val_loss = loss_fn(model(data.x_val), data.y_val).item()
        if val_loss < best_loss:  # strictly lower: the first step of a tie is kept
            best_loss, best_step = val_loss, step
            best_state = copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return best_step


# =============================================================================================
# Exercise 1.5 · Predict, then measure: sigmoid units and a large learning rate
# =============================================================================================

# Both answers follow from how the explorer trains: with AdamW (section 6), which divides each
# parameter's gradient by a running average of its own size before taking a step.
#
# Sigmoid units learn more slowly, but not for the reason section 2's table suggests. σ'(z) is
# at most 1/4 where tanh'(0) = 1, so with plain gradient descent the signal back to the first
# layer would be four times weaker. AdamW undoes any such constant factor: the same sigmoid
# network with every gradient through its units multiplied by 4 trains to exactly the same loss
# (the check runs it: 0.257 after 300 steps, as the plain sigmoid network). What AdamW cannot
# undo is the shape of the function. σ(z) = 1/2 + tanh(z/2)/2: a sigmoid is a tanh stretched to
# twice the width, squeezed to half the height and lifted by 1/2. A sigmoid unit only bends for
# pre-activations twice as large as a tanh unit needs, so its first-layer weights must grow
# larger before the boundary can curve, and AdamW moves each weight by rarely more than one
# learning rate per step however steep the slope. Trying the three changes one at a time on the
# explorer's network (a scratch copy, OMP_NUM_THREADS=1; seeds 0 to 4, seed 0 first):
#
#     tanh              0.057 0.201 0.084 0.034 0.085   final train loss after 300 steps
#     sigmoid           0.257 0.269 0.268 0.265 0.271
#     tanh(z/2)         0.266 0.267 0.266 0.252 0.268   the width alone: as slow as sigmoid
#     tanh(z)/2         0.134 0.238 0.217 0.130 0.172   the half height alone: in between
#     tanh(z) + 1/2     0.087 0.165 0.215 0.051 0.031   the lift alone: within tanh's spread
#     sigmoid - 1/2     0.264 0.268 0.267 0.258 0.262   sigmoid centred at 0: no faster
#
# So the width is what holds the sigmoid back here. Its outputs centred at 0.5, a shared offset
# the output bias must cancel, cost nothing that the seeds can tell apart. Given more steps the
# sigmoid network catches up: 0.104 after 600 steps, 0.019 after 1,000 (tanh: 0.006, 0.002).
#
# A learning rate of 1 is too large for this network. AdamW's first step moves every weight by
# exactly one learning rate, whatever the slope, and its later steps are not scaled down where
# the slope is gentle: steps that long can jump across the bottom of the valley and land higher
# on the other side, and the loss goes up. The curve turns jagged: it still falls on the whole,
# with rises in between (the check counts them).

predictions = {
    "sigmoid ends with a higher train loss than tanh": "yes",
    "at learning rate 1 the train loss falls at every step": "no",
}

# =============================================================================================
# Self-test · answers
# =============================================================================================
#
# 1. A linear layer maps x to xW + b, and two in a row give (xW1 + b1)W2 + b2
#    = x(W1W2) + (b1W2 + b2): the same form again. So any stack of them folds into one layer
#    from the first input size to the last output size, here (4, 6)(6, 5)(5, 3) -> (4, 3).
#    Depth without activations adds parameters but no new functions. With tanh in between, the
#    output varies with a spread (std) of 2.45, and the best affine map of the input (least
#    squares over 500 inputs) still misses it by 0.99 RMS, about 40% of the spread: that part
#    of the function is bent, and no single (W, b) can produce it.
#
# 2. Predict, then run: both gaps grow. A central difference has two errors: truncation, about
#    eps² times the third derivative of L (divided by 6), and rounding, about the float64
#    precision of L (1e-16) divided by eps. At eps = 1e-6 rounding dominates, near 1e-10
#    (truncation alone would be about a thousand times smaller). Measured (largest gap over the
#    four gradients, a scratch copy of §3–§4 run with OMP_NUM_THREADS=1):
#    eps = 1e-3 gives 1.1e-07 and eps = 1e-2 gives 1.1e-05, a factor 100 for each factor 10 in
#    eps (truncation, eps²); eps = 1e-8 gives 2.4e-08 and eps = 1e-10 gives 2.5e-06 (rounding,
#    1/eps). Nudging less is not always more accurate. The hand and autograd gradients have
#    neither error, which is why they agree to about 1e-16. (Changing eps inside §4's check
#    cell stops it at its assert, gap_fd < 1e-8, before it prints: both gaps are above it.)
#
# 3. The noise variance 0.0100 is what the true curve itself scores: measured on these points,
#    sin 3x has MSE 0.0105 on the 40 training points and 0.0098 on the 100 validation points.
#    A fit at 0.0066 on the training points is closer to them than the truth is, so it has bent
#    to follow part of their noise: mild overfitting. On new points that noise is different,
#    and the val MSE 0.0167 lies above the floor of about 0.01 that no model can beat on
#    average. The same pattern as §6.1 and §7, on a smaller scale.
#
# 4. No, it would lose the advantage it has on the originals. A convolutional unit looks at a
#    small patch of neighbouring pixels and slides the same filter over the image, which helps
#    exactly because neighbouring pixels form strokes. After the shuffle, pixels next to each
#    other in the picture were not neighbours in the digit, so that built-in assumption is now
#    wrong. The MLP makes no assumption about neighbours: that is why the shuffle costs it
#    nothing (§6.2's twin network), and also why it cannot profit from the image's layout.
#
# 5. Width 2 underfits: train 0.263 and val 0.285 are close together and both high; two tanh
#    units cannot even fit the 40 training points. Width 512 overfits: it fits the training
#    points perfectly (0.000) while its val loss is the highest of the four (0.621). The sign
#    of underfitting is a high training loss; that of overfitting a training loss far below the
#    validation loss. Capacity is not bad in itself: width 512 passed through a val loss of
#    0.180 at step 130, close to the best of the four; it is the long training on few points
#    that overfits it.
#
# 6. Predict, then run: it moves most of the way back towards 0.621. Measured (a scratch copy
#    of §7, OMP_NUM_THREADS=1): with weight_decay=0.1 the width-512 network ends at train loss
#    0.003 and val loss 0.436 (its best, 0.180, again early, at step 138); with 0.01, val 0.586.
#    A ten times weaker pull towards 0 is no match for 1,000 steps of fitting 40 points. Too
#    much decay fails the other way: weight_decay=3.0 ends at train 0.269 and val 0.281, an
#    underfit like width 2's. The strength is a setting to choose on validation data. (The
#    cell's printed label still says "weight decay 1.0": it is typed into the code.)
#
# 7. From 50 symbols on. Both models share the hidden bias and the output layer
#    (H + HV + V); they differ in the first layer: one-hot has T·V·H weights, the embedding has
#    a V·E table and T·E·H weights. The embedding is smaller when V·E + T·E·H < T·V·H, that is
#    48V + 73,728 < 1,536V, or V > 49.5. Check: at V = 27 the difference is
#    73,728 − 1,488 · 27 = 33,552 = 89,387 − 55,835; at V = 50 the one-hot MLP has 102,962
#    parameters and the embedding MLP 102,290. Each extra symbol costs the one-hot MLP T·H − E
#    = 1,488 more first-layer parameters than the embedding MLP; with E = 60 that is 1,476 per
#    word, which for 10,000 words gives the gap of §9's table:
#    1,476 · 10,000 − 3 · 60 · 512 = 14,667,840 = 20,490,512 − 5,822,672.

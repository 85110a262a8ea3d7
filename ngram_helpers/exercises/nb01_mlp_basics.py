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

import copy
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
from ngram_helpers.language import say
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
        (say("On the notebook's batch", "在笔记本的这批数据上"), gap, y),
        (
            say("For 6 points whose gap is 0", "对 6 个差值为 0 的点"),
            torch.zeros(6, dtype=torch.float64),
            torch.arange(6) % 2,
        ),
        (say("For 50 random gaps", "对 50 个随机差值"), random_gap, random_y),
    ]


def _gap_mistakes(gap: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """What a typical wrong ``loss_from_gap`` returns for (gap, y), and what went wrong."""
    sign = 2 * y.double() - 1  # +1 where the correct class is 1, -1 where it is 0
    per_point = -F.logsigmoid(sign * gap)
    mean = per_point.mean()
    return [
        (
            per_point,
            say(
                "you return one loss per point; the loss of the batch is their mean, one number",
                "你返回的是每个点各自的损失；一批数据的损失是它们的平均值，只是一个数",
            ),
        ),
        (
            torch.tensor(math.log(2), dtype=torch.float64),
            say(
                "that is ln 2, the loss of a model that says 50/50 for every point; this model's "
                "gaps are not 0, so its loss is not ln 2",
                "这是 ln 2，即对每个点都说 50/50 的模型的损失；这个模型的差值不为 0，"
                "所以它的损失不是 ln 2",
            ),
        ),
        (
            (-F.logsigmoid(-sign * gap)).mean(),
            say(
                "you scored the other class: the correct class has probability σ(gap) where y = 1 "
                "and 1 − σ(gap) = σ(−gap) where y = 0",
                "你算的是另一个类别：正确类别的概率在 y = 1 处是 σ(gap)，在 y = 0 处是 1 − σ(gap) "
                "= σ(−gap)",
            ),
        ),
        (
            (-F.logsigmoid(gap)).mean(),
            say(
                "you used σ(gap) for every point, whatever its label: where y = 0 the correct "
                "class has probability 1 − σ(gap)",
                "你对每个点都用了 σ(gap)，不管它的标签是什么：在 y = 0 处，正确类别的概率是 1 − "
                "σ(gap)",
            ),
        ),
        (
            (-F.logsigmoid(-gap)).mean(),
            say(
                "you used 1 − σ(gap) for every point, whatever its label: where y = 1 the correct "
                "class has probability σ(gap)",
                "你对每个点都用了 1 − σ(gap)，不管它的标签是什么：在 y = 1 处，正确类别的概率是 "
                "σ(gap)",
            ),
        ),
        (
            per_point.sum(),
            say(
                "you summed over the batch; the cross-entropy is the mean",
                "你对整批数据求了和；交叉熵取的是平均值",
            ),
        ),
        (
            mean / math.log(2),
            say(
                "you used log base 2; PyTorch's cross-entropy uses the natural log",
                "你用了以 2 为底的对数；PyTorch 的交叉熵用的是自然对数",
            ),
        ),
        (
            mean / math.log(10),
            say(
                "you used log base 10; PyTorch's cross-entropy uses the natural log",
                "你用了以 10 为底的对数；PyTorch 的交叉熵用的是自然对数",
            ),
        ),
        (
            -mean,
            say(
                "the sign is flipped: the loss is −log p, which is positive",
                "符号反了：损失是 −log p，它是正的",
            ),
        ),
        (
            (1 - torch.sigmoid(sign * gap)).mean(),
            say(
                "that is the mean of 1 − p(correct class); the cross-entropy is the mean of −log p",
                "这是 1 − p(正确类别) 的平均值；交叉熵是 −log p 的平均值",
            ),
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
        return not_attempted(
            say("Write `loss_from_gap` in the cell above", "在上面的单元格里写出 `loss_from_gap`")
        )
    require(
        callable(loss_from_gap),
        say(
            "loss_from_gap should be a function (def ...)",
            "loss_from_gap 应当是一个函数（def ...）",
        ),
    )
    gap, y = torch.as_tensor(gap, dtype=torch.float64), torch.as_tensor(y).long()
    for where, case_gap, case_y in _gap_cases(gap, y):
        got = loss_from_gap(case_gap.clone(), case_y.clone())
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `loss_from_gap` in the cell above",
                    "在上面的单元格里补全 `loss_from_gap` 的函数体",
                )
            )
        got = as_tensor(got, "loss_from_gap(gap, y)")
        expected = _gap_loss(case_gap, case_y)
        if got.numel() == 1 and tensors_close(got.reshape(()), expected, atol=1e-7):
            continue
        for mistake, message in _gap_mistakes(case_gap, case_y):
            if tensors_close(got.squeeze(), mistake.squeeze(), atol=1e-7):
                return wrong(say(f"{where}: {message}", f"{where}：{message}"))
        require(
            got.numel() == 1,
            say(
                f"{where} loss_from_gap returns shape {tuple(got.shape)}; it should be one number",
                f"{where}，loss_from_gap 返回的形状是 {tuple(got.shape)}；它应当是一个数",
            ),
        )
        return wrong(
            say(
                f"{where} loss_from_gap gives {got.item():.6g}; PyTorch's cross-entropy of these "
                f"logits is {expected.item():.6g}",
                f"{where}，loss_from_gap 得到 {got.item():.6g}；PyTorch 对这些 logit "
                f"算出的交叉熵是 {expected.item():.6g}",
            )
        )
    at_start = _gap_loss(gap, y).item()
    return correct(
        say(
            f"{at_start:.4f} on the notebook's batch, the loss forward printed, and ln 2 only "
            "where every gap is 0. With two classes softmax is the sigmoid of the gap: a point "
            "whose gap points the wrong way costs −log σ(−|gap|), about |gap| once the gap is a "
            "few units, while one pointing the right way saves at most ln 2: that drags the mean "
            "above ln 2.",
            f"在笔记本的这批数据上是 {at_start:.4f}，正是 forward 打印的损失；只有所有差值都为 0 "
            "时才是 ln 2。两个类别时，softmax 就是差值的 sigmoid：差值指错方向的点要付出 −log "
            "σ(−|gap|)，差值一旦有几个单位大，这约等于 |gap|；而指对方向的点最多只省下 ln 2，"
            "于是平均值被拉到 ln 2 之上。",
        )
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
    label = say(f"the gradient for {name}", f"{name} 的梯度")
    if got.shape == expected.shape and torch.isfinite(got).all():
        error = (got - expected).abs().max().item()
        if error < 1e-3 * expected.abs().max().item():
            return say(
                f"{label} differs from autograd's by up to {error:.3g}, more than rounding "
                f"(float64 agrees to {GRADIENT_ATOL:g})",
                f"{label}与 autograd 的结果最多相差 {error:.3g}，超出了舍入误差（float64 能吻合到 "
                f"{GRADIENT_ATOL:g}）",
            )
    feedback = compare_tensors(got, expected, label, atol=GRADIENT_ATOL)
    return feedback.message if feedback is not None else say(f"{label} is off", f"{label}不对")


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
            say(
                "you kept tanh's derivative 1 − H²; the derivative of softplus is σ(A)",
                "你沿用了 tanh 的导数 1 − H²；softplus 的导数是 σ(A)",
            ),
        ),
        (
            F.softplus,
            lambda a, h: sigmoid(h),
            say(
                "you took σ of H, the output; the derivative of softplus is σ of its input A",
                "你对输出 H 取了 σ；softplus 的导数是对它的输入 A 取 σ",
            ),
        ),
        (
            F.softplus,
            lambda a, h: h,
            say(
                "you multiplied by softplus(A) itself; dH/dA is its derivative, σ(A)",
                "你乘的是 softplus(A) 本身；dH/dA 是它的导数 σ(A)",
            ),
        ),
        (
            F.softplus,
            lambda a, h: sigmoid(a) * (1 - sigmoid(a)),
            say(
                "σ(A)(1 − σ(A)) is the derivative of the sigmoid; softplus's derivative is σ(A) "
                "itself",
                "σ(A)(1 − σ(A)) 是 sigmoid 的导数；softplus 的导数就是 σ(A) 本身",
            ),
        ),
        (
            F.softplus,
            lambda a, h: (a > 0).double(),
            say(
                "that is ReLU's derivative, 0 or 1; softplus is a smooth ReLU whose derivative is "
                "the smooth step σ(A)",
                "这是 ReLU 的导数，非 0 即 1；softplus 是平滑的 ReLU，它的导数是平滑的阶跃 σ(A)",
            ),
        ),
        (
            torch.tanh,
            lambda a, h: 1 - h**2,
            say(
                "these are the gradients of the notebook's tanh network: the hidden layer must "
                "compute H = softplus(A)",
                "这是笔记本里 tanh 网络的梯度：隐藏层应当计算 H = softplus(A)",
            ),
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
            say(
                "your forward pass leaves out b1: A = XW1 + b1 (the notebook's b1 starts at 0, "
                "which hides it)",
                "你的前向传播漏掉了 b1：A = XW1 + b1（笔记本里的 b1 初始为 0，把这个错误掩盖了）",
            ),
        )
    )
    right = _hand_gradients(params, x, y, F.softplus, lambda a, h: sigmoid(a))
    n = len(y)
    mistakes.append(
        (
            {name: n * grad for name, grad in right.items()},
            say(
                f"every gradient is {n} times too large, the batch size: the loss is the mean over "
                "the batch, so dZ = (P − Y) / N",
                f"每个梯度都大了 {n} 倍，正好是批大小：损失是对整批取的平均，所以 dZ = (P − Y) / N",
            ),
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
        (
            say("With the notebook's parameters and batch", "用笔记本的参数和这批数据"),
            mine,
            x.double(),
            y.long(),
        ),
        (
            say(
                "With 8 hidden units, nonzero biases and 20 points",
                "用 8 个隐藏单元、非零偏置和 20 个点",
            ),
            other,
            other_x,
            other_y,
        ),
    ]


def _as_gradients(got: object) -> Mapping[str, object]:
    """The learner's gradients as a mapping with the four names, or a "not yet"."""
    message = say(
        "softplus_gradients should return a dict with keys 'W1', 'b1', 'W2', 'b2'",
        "softplus_gradients 应当返回一个以 'W1'、'b1'、'W2'、'b2' 为键的 dict",
    )
    require(
        isinstance(got, Mapping),
        say(
            f"{message}, like hand_gradients; not {type(got).__name__}",
            f"{message}，就像 hand_gradients 那样；而不是 {type(got).__name__}",
        ),
    )
    missing = [name for name in GRADIENT_NAMES[::-1] if name not in got]
    require(
        not missing,
        say(
            f"{message}; yours has no {', '.join(map(repr, missing))}",
            f"{message}；你的缺少 {', '.join(map(repr, missing))}",
        ),
    )
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
        return not_attempted(
            say(
                "Write `softplus_gradients` in the cell above",
                "在上面的单元格里写出 `softplus_gradients`",
            )
        )
    require(
        callable(softplus_gradients),
        say(
            "softplus_gradients should be a function (def ...)",
            "softplus_gradients 应当是一个函数（def ...）",
        ),
    )
    for where, case_params, case_x, case_y in _softplus_cases(params, x, y):
        got = softplus_gradients(
            {name: p.clone() for name, p in case_params.items()}, case_x.clone(), case_y.clone()
        )
        if got is None:
            return not_attempted(
                say(
                    "Fill in the body of `softplus_gradients` in the cell above",
                    "在上面的单元格里补全 `softplus_gradients` 的函数体",
                )
            )
        got = _as_gradients(got)
        grads = {
            name: as_tensor(got[name], say(f"the gradient for {name}", f"{name} 的梯度"))
            for name in GRADIENT_NAMES
        }
        expected = _softplus_autograd(case_params, case_x, case_y)
        first_off = next(
            (n for n in GRADIENT_NAMES if not tensors_close(grads[n], expected[n], GRADIENT_ATOL)),
            None,
        )
        if first_off is None:
            continue
        for mistake, message in _softplus_mistakes(case_params, case_x, case_y):
            if all(tensors_close(grads[n], mistake[n], GRADIENT_ATOL) for n in GRADIENT_NAMES):
                return wrong(say(f"{where}: {message}", f"{where}：{message}"))
        difference = _gradient_difference(grads[first_off], expected[first_off], first_off)
        if first_off == "b1":  # b2 and W2 are right: the chain breaks at the activation
            return wrong(
                say(
                    f"{where}, b2 and W2 are right but {difference}: look at the step from dH to "
                    "dA, the only one that changed",
                    f"{where}，b2 和 W2 是对的，但{difference}：检查从 dH 到 dA 的那一步，"
                    "只有它变了",
                )
            )
        return wrong(say(f"{where}, {difference}", f"{where}，{difference}"))
    return correct(
        say(
            "all four gradients match autograd, on the notebook's batch and on a network with "
            "other sizes. Only one line changed from tanh: dA = dH ⊙ σ(A). Unlike tanh, "
            "softplus's derivative is not a function of H alone that you can reuse, so keep A "
            "from the forward pass.",
            "四个梯度都与 autograd 一致，无论在笔记本的这批数据上还是在另一种大小的网络上。与 "
            "tanh 相比只改了一行：dA = dH ⊙ σ(A)。和 tanh 不同，softplus 的导数不能只用 H 表示，"
            "所以要把前向传播里的 A 留下来。",
        )
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
        say(
            f"shuffle_each should return a tensor, not {type(got).__name__}",
            f"shuffle_each 应当返回一个张量，而不是 {type(got).__name__}",
        ),
    )
    require(
        tuple(got.shape) == shape,
        say(
            f"shuffle_each returns shape {tuple(got.shape)}; it should be {shape}, the shape of x",
            f"shuffle_each 返回的形状是 {tuple(got.shape)}；它应当是 x 的形状 {shape}",
        ),
    )
    return got.double()


def _check_orders(shuffle_each: Callable[[torch.Tensor, int], object]) -> Feedback | None:
    """None if ``shuffle_each`` gives every probe image an order of its own, else a "not yet"."""
    probe = _probe_images()
    got = shuffle_each(probe.clone(), 0)
    if got is None:
        return not_attempted(
            say(
                "Fill in the body of `shuffle_each` in the cell above",
                "在上面的单元格里补全 `shuffle_each` 的函数体",
            )
        )
    got = _as_images(got, tuple(probe.shape))
    require(
        torch.equal(got.flatten().sort().values, probe.double().flatten().sort().values),
        say(
            "shuffle_each changed pixel values; it should only move pixels, never alter them",
            "shuffle_each 改变了像素值；它只应移动像素，绝不改变它们",
        ),
    )
    same_rows = (got[:, None, :] == probe.double()[None, :, :]).all(dim=2)  # (out row, in row)
    require(
        not (same_rows.any(dim=1).all() and not same_rows.diagonal().all()),
        say(
            "you shuffled the order of the images; keep the images where they are and shuffle the "
            "pixels inside each one",
            "你打乱的是图像的顺序；图像应当留在原处，打乱的是每张图像内部的像素",
        ),
    )
    require(
        torch.equal(got.sort(dim=1).values, probe.double().sort(dim=1).values),
        say(
            "pixels moved from one image to another: shuffle within each row of x, never across "
            "rows",
            "像素从一张图像跑到了另一张：只在 x 的每一行内部打乱，不要跨行",
        ),
    )
    order = (got * 100 * len(probe)).round().long() % 100  # the original position of each pixel
    require(
        not torch.equal(order, torch.arange(64).expand_as(order)),
        say(
            "shuffle_each returns the images unchanged: reorder the pixels of each one",
            "shuffle_each 返回的图像没有变：要重新排列每张图像的像素",
        ),
    )
    require(
        not (order == order[0]).all(),
        say(
            "every image got the same order: that is the notebook's shuffle. Draw a new "
            "permutation for each image",
            "每张图像得到的是同一个顺序：这就是笔记本里的打乱方式。请为每张图像各抽一个新的排列",
        ),
    )
    repeated = shuffle_each(probe.clone(), 0)
    require(
        isinstance(repeated, torch.Tensor) and torch.equal(repeated.double(), got),
        say(
            "two calls with the same seed give different orders: draw them from a torch.Generator "
            "seeded with `seed`, so the run can be repeated",
            "用同一个种子调用两次，得到的顺序却不同：请从以 `seed` 为种子的 torch.Generator "
            "中抽取，这样运行才能复现",
        ),
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
        return not_attempted(
            say("Write `shuffle_each` in the cell above", "在上面的单元格里写出 `shuffle_each`")
        )
    require(
        callable(shuffle_each),
        say(
            "shuffle_each should be a function (def ...)", "shuffle_each 应当是一个函数（def ...）"
        ),
    )
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
        say(
            "every image has an order of its own. Trained the same way, the network now gets "
            f"{_val_accuracy(model, shuffled)}/{n_val} validation images right, against "
            f"{_val_accuracy(digit_model, digit_data)}/{n_val} on the original pixels (always "
            f"answering the most common digit gets {mode}/{n_val}). A weight belongs to an input "
            "position, so it can only learn if that position holds the same pixel in every image; "
            "all that survives a different order per image is how much ink there is.",
            "每张图像都有了自己的顺序。用同样的方式训练，网络现在答对 "
            f"{_val_accuracy(model, shuffled)}/{n_val} 张验证图像，而在原始像素上是 "
            f"{_val_accuracy(digit_model, digit_data)}/{n_val}（总是回答最常见的数字能答对 "
            f"{mode}/{n_val}）。一个权重属于一个输入位置，"
            "只有当这个位置在每张图像里都是同一个像素时它才学得到东西；每张图像顺序各不相同时，"
            "剩下的信息只有墨迹的多少。",
        )
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
        return not_attempted(
            say(
                "Write `fit_early_stopping` in the cell above",
                "在上面的单元格里写出 `fit_early_stopping`",
            )
        )
    require(
        callable(fit_early_stopping),
        say(
            "fit_early_stopping should be a function (def ...)",
            "fit_early_stopping 应当是一个函数（def ...）",
        ),
    )
    model = make_mlp(EARLY_STOP_SIZES, seed=0)
    with torch.no_grad():
        untrained = binary_loss(model(data.x_val), data.y_val).item()
    # A copy, so that a function that changes its data cannot change the notebook's.
    got = fit_early_stopping(model, copy.deepcopy(data), binary_loss, **EARLY_STOP_TRAINING)
    if got is None:
        return not_attempted(
            say(
                "Fill in the body of `fit_early_stopping` in the cell above",
                "在上面的单元格里补全 `fit_early_stopping` 的函数体",
            )
        )
    step = as_whole_number(
        got, say("the step fit_early_stopping returns", "fit_early_stopping 返回的步数")
    )
    with torch.no_grad():
        kept = binary_loss(model(data.x_val), data.y_val).item()
    curves = _reference_run(data)
    val, n_steps = curves.val_loss, len(curves.val_loss)
    best = _lowest(val)
    kept_text = say(
        f"the model you leave has validation loss {kept:.4f}", f"你留下的模型验证损失为 {kept:.4f}"
    )

    def at(s: int) -> bool:  # the kept weights are those of step s
        return 1 <= s <= n_steps and abs(kept - val[s - 1]) < 1e-6

    require(
        abs(kept - untrained) > 1e-9,
        say(
            "the model you were given is untrained: train it, not a new one, and leave the best "
            "weights in it",
            "交给你的模型还没有训练：要训练的是它，而不是一个新模型，并把最好的权重留在它里面",
        ),
    )
    if at(best):
        require(
            step != best - 1,
            say(
                f"the model is right, but you return {step}, an index counted from 0: steps count "
                f"from 1, so the lowest validation loss is at step {best}",
                f"模型是对的，但你返回的是 {step}，一个从 0 开始数的下标：步数从 1 开始数，"
                f"所以验证损失最低的是第 {best} 步",
            ),
        )
        require(
            step == best,
            say(
                f"the model is right, but the lowest validation loss is at step {best}, not {step}",
                f"模型是对的，但验证损失最低的是第 {best} 步，不是第 {step} 步",
            ),
        )
        return correct(
            say(
                f"step {best} of {n_steps}, validation loss {val[best - 1]:.4f} (it ends at "
                f"{val[-1]:.4f}), in one run: exactly the weights that section 7 got back by "
                "retraining from the same seed.",
                f"第 {best} 步（共 {n_steps} 步），验证损失 {val[best - 1]:.4f}（最后是 "
                f"{val[-1]:.4f}），只跑一次：正是第 7 节从同一个种子重新训练才找回的那组权重。",
            )
        )
    require(
        not (step == n_steps == _lowest(curves.train_loss) and at(n_steps)),
        say(
            f"you chose step {step}, the last, by the training loss, which keeps falling; early "
            "stopping watches the validation loss",
            f"你按训练损失选了第 {step} 步，也就是最后一步，而训练损失一直在下降；"
            "早停看的是验证损失",
        ),
    )
    require(
        not at(n_steps),
        say(
            f"{kept_text}, the value after the last step: your copy was not a copy, or you never "
            "loaded it back. model.state_dict() returns the live tensors, which the optimizer "
            "keeps changing; save copy.deepcopy(model.state_dict()) and load_state_dict it at the "
            "end",
            f"{kept_text}，这是最后一步之后的值：你保存的副本并不是副本，或者你从没把它加载回来。"
            "model.state_dict() 返回的是模型正在用的张量，优化器会一直改动它们；请保存 "
            "copy.deepcopy(model.state_dict())，最后再用 load_state_dict 加载回来",
        ),
    )
    require(
        not (at(step - 1) and step == best),
        say(
            f"you return the right step, {best}, but keep the weights of step {best - 1}: measure "
            "the validation loss after optimizer.step(), and save the weights you measured",
            f"你返回的步数 {best} 是对的，但留下的是第 {best - 1} 步的权重：要在 optimizer.step() "
            "之后测验证损失，并保存你测过的那组权重",
        ),
    )
    decayed = _reference_run(data, weight_decay=0.01).val_loss
    require(
        abs(kept - min(decayed)) > 1e-6,
        say(
            "your run differs from train(): torch.optim.AdamW's default weight_decay is 0.01; "
            "pass weight_decay=0.0 as train() does",
            "你的训练与 train() 不同：torch.optim.AdamW 的 weight_decay 默认为 0.01；请像 train() "
            "那样传入 weight_decay=0.0",
        ),
    )
    for s in range(1, n_steps + 1):
        require(
            not at(s),
            say(
                f"{kept_text}, which is step {s}'s; the lowest validation loss, "
                f"{val[best - 1]:.4f}, is at step {best}",
                f"{kept_text}，这是第 {s} 步的值；最低的验证损失 {val[best - 1]:.4f} 在第 {best} "
                "步",
            ),
        )
    return wrong(
        say(
            f"{kept_text}; the same training as train() in section 6 reaches {val[best - 1]:.4f} "
            f"at step {best}. Train with AdamW at the given learning rate (weight_decay 0) on the "
            "whole training set, one update per step",
            f"{kept_text}；和第 6 节 train() 一样的训练在第 {best} 步达到 {val[best - 1]:.4f}。"
            "请用 AdamW、按给定的学习率（weight_decay 为 0）在整个训练集上训练，每步更新一次",
        )
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
        raise Rejected(
            wrong(
                say(
                    f'answer "{question}" with "yes" or "no", not {value!r}',
                    f'请用 "yes" 或 "no" 回答“{question}”，而不是 {value!r}',
                )
            )
        )
    return text == "yes"


def _why_sigmoid_lags(runs: dict[str, Curves]) -> str:
    """What the runs say about the sigmoid network's higher loss, under AdamW."""
    return say(
        "Not because σ' is at most 1/4: AdamW divides each parameter's gradient by its own "
        "running size, and the same sigmoid network with every gradient through its units "
        f"multiplied by 4 ends at {runs['steeper'].train_loss[-1]:.3f} too. What AdamW cannot "
        "rescale is the shape: σ(z) = 1/2 + tanh(z/2)/2 is a tanh twice as wide, whose units bend "
        "only for pre-activations twice as large, and AdamW moves a weight by rarely more than "
        "one learning rate per step, however steep the slope, so the weights take longer to grow "
        "that large. A tanh(z/2) network, as wide but centred at 0, ends at "
        f"{runs['wide tanh'].train_loss[-1]:.3f}",
        "原因不在于 σ' 最大只有 1/4：AdamW 会用每个参数自己梯度的滑动大小去除它的梯度，同一个 "
        "sigmoid 网络把经过其单元的每个梯度都乘以 4，最后也停在 "
        f"{runs['steeper'].train_loss[-1]:.3f}。AdamW 无法重新缩放的是形状：σ(z) = 1/2 + "
        "tanh(z/2)/2 是宽了一倍的 tanh，它的单元要等预激活大一倍才会弯曲；而不论斜率多陡，AdamW "
        "每步移动一个权重很少超过一个学习率，所以权重要更久才能长到那么大。一个同样宽、但以 0 "
        f"为中心的 tanh(z/2) 网络最后停在 {runs['wide tanh'].train_loss[-1]:.3f}",
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
        return not_attempted(
            say("Fill in `predictions` in the cell above", "在上面的单元格里填好 `predictions`")
        )
    require(
        isinstance(predictions, Mapping),
        say(
            f"predictions should be the dict of the cell above, not {type(predictions).__name__}",
            f"predictions 应当是上面单元格里的那个 dict，而不是 {type(predictions).__name__}",
        ),
    )
    questions = (SIGMOID_QUESTION, LEARNING_RATE_QUESTION)
    for question in questions:
        require(
            question in predictions,
            say(
                f"predictions has no entry {question!r}: keep both questions as given",
                f"predictions 里没有 {question!r} 这一项：两个问题都要保持原样",
            ),
        )
    answers = {q: _yes_or_no(predictions[q], q) for q in questions}
    if any(answer is None for answer in answers.values()):
        return not_attempted(
            say(
                'Answer both questions with "yes" or "no" in the cell above',
                '在上面的单元格里用 "yes" 或 "no" 回答这两个问题',
            )
        )
    runs = _explorer_measurements(data)
    start, sigmoid, fast = runs["start"], runs["sigmoid"], runs["fast"]
    n_steps = len(start.train_loss)
    slower = sigmoid.train_loss[-1] > start.train_loss[-1]
    smooth = _rises(fast.train_loss) == 0
    sigmoid_says = say(
        f"after {n_steps} steps the sigmoid network's training loss is "
        f"{sigmoid.train_loss[-1]:.3f}, tanh's {start.train_loss[-1]:.3f}",
        f"{n_steps} 步之后，sigmoid 网络的训练损失是 {sigmoid.train_loss[-1]:.3f}，tanh 网络的是 "
        f"{start.train_loss[-1]:.3f}",
    )
    fast_says = say(
        f"at learning rate 1 the training loss rises at {_rises(fast.train_loss)} of the {n_steps} "
        f"steps (at the explorer's {EXPLORER_START['learning_rate']}: {_rises(start.train_loss)})",
        f"学习率为 1 时，{n_steps} 步中有 {_rises(fast.train_loss)} 步训练损失上升（在探索器默认的 "
        f"{EXPLORER_START['learning_rate']} 下：{_rises(start.train_loss)} 步）",
    )
    why_slower = (
        say(f". {_why_sigmoid_lags(runs)}", f"。{_why_sigmoid_lags(runs)}") if slower else ""
    )
    require(
        answers[SIGMOID_QUESTION] == slower,
        say(
            f"the run says {'yes' if slower else 'no'}: {sigmoid_says}{why_slower}",
            f"实际运行的答案是 {'yes' if slower else 'no'}：{sigmoid_says}{why_slower}",
        ),
    )
    why_rises = (
        say(
            ". AdamW's first step moves every weight by one whole learning rate, here 1, whatever "
            "the slope: steps that long overshoot the bottom of the valley and land higher up the "
            "other side",
            "。不论斜率如何，AdamW 的第一步都让每个权重移动整整一个学习率，这里是 1："
            "这么长的步子越过谷底，落在对面更高的地方",
        )
        if not smooth
        else ""
    )
    require(
        answers[LEARNING_RATE_QUESTION] == smooth,
        say(
            f"the run says {'yes' if smooth else 'no'}: {fast_says}{why_rises}",
            f"实际运行的答案是 {'yes' if smooth else 'no'}：{fast_says}{why_rises}",
        ),
    )
    why = say(f" {_why_sigmoid_lags(runs)}.", f"{_why_sigmoid_lags(runs)}。") if slower else ""
    return correct(
        say(
            f"both predictions hold: {sigmoid_says}; {fast_says}.{why} Now set the explorer to "
            "each and look at the loss curve: the slow one is smooth, the fast one jagged.",
            f"两个预测都成立：{sigmoid_says}；{fast_says}。{why}现在把探索器分别调到这两种设置，"
            "看看损失曲线：慢的平滑，快的锯齿状。",
        )
    )

"""The checks of notebook 02's exercises (each returns a feedback.Feedback, never raises).

Notebook 02 (the Bengio et al. MLP language model against count n-grams) has five exercises:

- 2.1 ``check_fine_alpha``: the add-alpha smoothing of the 4-gram, chosen on val from a finer
  grid than the notebook's;
- 2.2 ``check_num_parameters``: the parameter count, as a formula of V, T, E, H, of the MLP
  with L hidden layers (notebook 05's deeper models);
- 2.3 ``check_embedding_grad``: the backward pass of the embedding lookup, dL/dC from dL/dx,
  a scatter-add over the ids, checked against autograd;
- 2.4 ``check_direct_mlp``: the paper's direct connections from the embeddings to the output,
  as a subclass of the package's ``MLP``, checked on a tiny random model (forward, loss,
  gradients, and a start identical to the plain model's);
- 2.5 ``check_direct_run``: that model trained as the notebook's was (same start, same steps),
  measured on val against the plain MLP.

Every reference answer is computed here from the package (``NgramCounts.loss``,
``ModelConfig.num_parameters``, autograd, the modules' own layers, ``split_loss``), and the
typical wrong answers are computed too, so that the sentence names the mistake rather than only
the gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.data import NamesData, NgramTable
from ngram_helpers.evaluate import split_loss
from ngram_helpers.exercises.feedback import (
    Feedback,
    as_number,
    as_tensor,
    checked,
    compare_tensors,
    correct,
    not_attempted,
    numbers_close,
    require,
    tensors_close,
    wrong,
)
from ngram_helpers.language import say
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.ngrams import DEFAULT_ALPHAS, NgramCounts, padded_examples
from ngram_helpers.rng import RNG
from ngram_helpers.train import History

# ---------------------------------------------------------------------------------------------
# Exercise 2.1 · a finer search for alpha

FINE_ALPHAS = tuple(round(0.05 + 0.01 * k, 2) for k in range(16))  # 0.05, 0.06, ..., 0.20


def _grid_losses(
    model: NgramCounts, data: NamesData, split: str, alphas: tuple[float, ...]
) -> dict[float, float]:
    """The loss of ``model`` on ``split`` for each smoothing constant of ``alphas``."""
    examples = padded_examples(data.tokens[split], model.order, data.tokenizer.end_token)
    return {alpha: model.loss(*examples, alpha) for alpha in alphas}


@checked
def check_fine_alpha(answer: object, fourgram: NgramCounts, data: NamesData) -> Feedback:
    """Exercise 2.1: ``answer`` is the alpha of ``FINE_ALPHAS`` with the lowest val loss.

    The losses of every alpha on val and on test are computed from ``fourgram`` (the notebook's
    4-gram counts of the training names), so an alpha chosen on test, on train (the grid's
    smallest), the worst one instead of the best, or a loss in place of an alpha is named.
    """
    if answer is None:
        return not_attempted(
            say(
                "Set `answer` to the α of `fine_alphas` with the lowest val loss",
                "把 `answer` 设为 `fine_alphas` 中验证损失最低的那个 α",
            )
        )
    require(
        isinstance(fourgram, NgramCounts),
        say(
            "pass the notebook's 4-gram counts, `fourgram`",
            "请传入笔记本里的 4 元语法计数 `fourgram`",
        ),
    )
    alpha = as_number(answer, "answer")
    val = _grid_losses(fourgram, data, "val", FINE_ALPHAS)
    best = min(val, key=val.get)
    if numbers_close(alpha, best):
        coarse = _grid_losses(fourgram, data, "val", DEFAULT_ALPHAS)
        coarse_best = min(coarse, key=coarse.get)
        gain = coarse[coarse_best] - val[best]
        return correct(
            say(
                f"α = {best:g} gives val loss {val[best]:.5f}, {gain:.5f} nats better than the "
                f"coarse grid's α = {coarse_best:g}. Near its minimum the loss is flat, so a grid "
                "with steps of a factor of about 3 already lands close enough",
                f"α = {best:g} 的验证损失是 {val[best]:.5f}，比粗网格的 α = {coarse_best:g} 好 "
                f"{gain:.5f} 奈特。损失在最小值附近很平坦，所以步长约为 3 倍的网格已经足够接近",
            )
        )
    if not any(numbers_close(alpha, a) for a in FINE_ALPHAS):
        if any(abs(alpha - loss) < 1e-3 for loss in val.values()):
            return wrong(
                say(
                    f"{alpha:g} is a loss (nats per character), not an α: answer with the α whose "
                    "val loss is lowest",
                    f"{alpha:g} 是一个损失（每个字符的奈特数），不是 α：请回答验证损失最低的那个 α",
                )
            )
        if any(numbers_close(alpha, a) for a in DEFAULT_ALPHAS):
            return wrong(
                say(
                    f"α = {alpha:g} is from the coarse grid; choose among `fine_alphas`",
                    f"α = {alpha:g} 来自粗网格；请在 `fine_alphas` 中选",
                )
            )
        return wrong(
            say(
                f"{alpha:g} is not on the grid 0.05, 0.06, ..., 0.20 (`fine_alphas`)",
                f"{alpha:g} 不在网格 0.05, 0.06, ..., 0.20（`fine_alphas`）上",
            )
        )
    test = _grid_losses(fourgram, data, "test", FINE_ALPHAS)
    if numbers_close(alpha, min(test, key=test.get)):
        return wrong(
            say(
                f"α = {alpha:g} is the best on the test split, not on val. Test is read once, at "
                "the end, to report a model chosen without it; choose α on val",
                f"α = {alpha:g} 是在测试集上最好的，而不是在验证集上。测试集只在最后读一次，"
                "用来报告一个没有看过它就选定的模型；请在验证集上选 α",
            )
        )
    worst = max(val, key=val.get)
    if numbers_close(alpha, min(FINE_ALPHAS)):
        on_val = (
            say(", and on val it is the worst of the grid", "，而在验证集上它是网格里最差的")
            if numbers_close(alpha, worst)
            else ""
        )
        return wrong(
            say(
                f"α = {alpha:g} is the grid's smallest: what the training split prefers, since the "
                f"counts were taken from it and less smoothing always fits them better{on_val}. "
                "Choose on val",
                f"α = {alpha:g} 是网格里最小的：这是训练集偏爱的值，因为计数就取自训练集，"
                f"平滑越少总是拟合得越好{on_val}。请在验证集上选",
            )
        )
    if numbers_close(alpha, worst):
        return wrong(
            say(
                f"α = {alpha:g} has the highest val loss of the grid: you want the lowest",
                f"α = {alpha:g} 的验证损失是网格里最高的：你要找的是最低的",
            )
        )
    key = min(FINE_ALPHAS, key=lambda a: abs(a - alpha))
    return wrong(
        say(
            f"at α = {alpha:g} the val loss is {val[key]:.5f}, {val[key] - val[best]:.5f} nats "
            "above the grid's best: the differences are small, so compare them at 5 decimals",
            f"α = {alpha:g} 时验证损失是 {val[key]:.5f}，比网格里最好的高 "
            f"{val[key] - val[best]:.5f} 奈特：差别很小，所以要比到小数点后 5 位",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2.2 · the count for a deeper model

# (V, T, E, H, L): the notebook's model, deeper ones, and sizes where no two products coincide
SIZES = [
    (27, 3, 48, 512, 1),
    (27, 3, 48, 512, 3),
    (27, 8, 10, 200, 2),
    (5, 2, 3, 7, 4),
    (100, 4, 16, 64, 1),
]


def _count(v: int, t: int, e: int, h: int, layers: int) -> int:
    """The reference count: what ``ModelConfig.num_parameters`` says for these sizes."""
    config = ModelConfig(
        vocab_size=v, context_length=t, embedding_size=e, hidden_size=h, hidden_layers=layers
    )
    return config.num_parameters()


# Wrong formulas a learner may write, each with what it gets wrong.
COUNT_MISTAKES: list[tuple[Callable[[int, int, int, int, int], int], str]] = [
    (
        lambda v, t, e, h, n: v * e + t * e * h + (n - 1) * h * h + h * v,
        say(
            "you left out the biases: H for each hidden layer, V for the output layer",
            "你漏掉了偏置：每个隐藏层 H 个，输出层 V 个",
        ),
    ),
    (
        lambda v, t, e, h, n: v * e + t * e * h + h + (n - 1) * h * h + h * v + v,
        say(
            "each extra hidden layer has a bias of H numbers too, besides its H·H weights",
            "每多一个隐藏层，除了 H·H 个权重，还有 H 个数的偏置",
        ),
    ),
    (
        lambda v, t, e, h, n: v * e + t * e * h + h + n * (h * h + h) + h * v + v,
        say(
            "you added L layers of H to H; L counts every hidden layer, the first (T·E to H) "
            "included, so there are L - 1 of them",
            "你加了 L 个从 H 到 H 的层；L 数的是所有隐藏层，包括第一个（T·E 到 H），"
            "所以这样的层只有 L - 1 个",
        ),
    ),
    (
        lambda v, t, e, h, n: v * e + t * e * h + h + h * v + v,
        say(
            "your count does not change with L: each hidden layer after the first adds H·H "
            "weights and H biases",
            "你的计数不随 L 变化：第一个之后的每个隐藏层都增加 H·H 个权重和 H 个偏置",
        ),
    ),
    (
        lambda v, t, e, h, n: v * e + n * (t * e * h + h) + h * v + v,
        say(
            "only the first hidden layer reads the T·E numbers of the concatenated embeddings; "
            "each later one reads the H outputs of the layer below it",
            "只有第一个隐藏层读入拼接起来的 T·E 个嵌入数值；之后的每一层读入的是下面那层的 H "
            "个输出",
        ),
    ),
    (
        lambda v, t, e, h, n: t * e * h + h + (n - 1) * (h * h + h) + h * v + v,
        say(
            "you left out the embedding table: its V·E numbers are trained like the weights",
            "你漏掉了嵌入表：它的 V·E 个数和权重一样要训练",
        ),
    ),
    (
        lambda v, t, e, h, n: t * v * e + t * e * h + h + (n - 1) * (h * h + h) + h * v + v,
        say(
            "there is one embedding table, shared by all T positions: V·E numbers, not T·V·E",
            "嵌入表只有一张，由全部 T 个位置共用：V·E 个数，不是 T·V·E",
        ),
    ),
    (
        lambda v, t, e, h, n: v * e + t * e * h + h + (n - 1) * (h * h + h),
        say(
            "you left out the output layer: H·V weights and V biases",
            "你漏掉了输出层：H·V 个权重和 V 个偏置",
        ),
    ),
]


@checked
def check_num_parameters(
    num_parameters: Callable[[int, int, int, int, int], object] | None,
) -> Feedback:
    """Exercise 2.2: ``num_parameters(V, T, E, H, L)`` counts the MLP with L hidden layers.

    Compared with ``ModelConfig.num_parameters`` (the notebook checks it against the module's
    tensors) for five sets of sizes, L from 1 to 4; a formula without some biases, with L
    instead of L - 1 extra layers, ignoring L, or feeding the embeddings to every layer is named.
    """
    if num_parameters is None:
        return not_attempted(
            say("Write `num_parameters` in the cell above", "在上面的单元格里写出 `num_parameters`")
        )
    require(
        callable(num_parameters),
        say(
            "num_parameters should be a function (def ...)",
            "num_parameters 应当是一个函数（def ...）",
        ),
    )
    got = []
    for sizes in SIZES:
        value = num_parameters(*sizes)
        if value is None:
            return not_attempted(
                say(
                    "Fill in the body of `num_parameters` in the cell above",
                    "在上面的单元格里补全 `num_parameters` 的函数体",
                )
            )
        got.append(as_number(value, "num_parameters(V, T, E, H, L)"))
    expected = [_count(*sizes) for sizes in SIZES]
    if got == expected:
        _, _, e, h, _ = SIZES[0]
        return correct(
            say(
                f"{expected[0]:,d} parameters for the notebook's model, {expected[1]:,d} with "
                f"three hidden layers. At H = {h} one more hidden layer adds H·H + H = "
                f"{h * h + h:,d}, one more character of context only E·H = {e * h:,d}",
                f"笔记本里的模型有 {expected[0]:,d} 个参数，三个隐藏层时有 {expected[1]:,d} 个。H "
                f"= {h} 时，多一个隐藏层增加 H·H + H = {h * h + h:,d} 个，而多一个上下文字符只增加 "
                f"E·H = {e * h:,d} 个",
            )
        )
    for formula, mistake in COUNT_MISTAKES:
        if got == [formula(*sizes) for sizes in SIZES]:
            return wrong(mistake)
    for sizes, mine, right in zip(SIZES, got, expected, strict=True):
        if mine != right:
            v, t, e, h, n = sizes
            return wrong(
                say(
                    f"for V={v}, T={t}, E={e}, H={h}, L={n} you count {mine:,g}; it is {right:,d}",
                    f"对 V={v}, T={t}, E={e}, H={h}, L={n}，你数出 {mine:,g} 个；应为 {right:,d} "
                    "个",
                )
            )
    return wrong(
        say("num_parameters gives the wrong count", "num_parameters 数错了")
    )  # not reached: some size differs


# ---------------------------------------------------------------------------------------------
# Exercise 2.3 · the gradient of the embedding table

# A tiny table whose last symbol never occurs and most of whose others occur several times, one
# of them twice in the same context: V = 7, T = 3, E = 4, B = 8 (no two sizes equal).
TINY_TABLE = (7, 3, 4, 8)


def _table_gradient(idx: torch.Tensor, grad_x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """dL/dC by autograd: the vector-Jacobian product of the lookup x = C[idx].flatten(1)."""
    weights = table.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(weights[idx].flatten(1), weights, grad_outputs=grad_x)
    return grad


def _tiny_lookup() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The tiny case: ids (B, T) drawn from all symbols but the last, dL/dx (B, T·E), a table."""
    v, t, e, b = TINY_TABLE
    generator = torch.Generator().manual_seed(2)
    idx = torch.randint(v - 1, (b, t), generator=generator)
    idx[0, 2] = idx[0, 0]  # one symbol twice in the same context
    grad_x = torch.randn(b, t * e, generator=generator)
    return idx, grad_x, torch.randn(v, e, generator=generator)


def _names_lookup(
    config: ModelConfig, data: NamesData
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The names model (seed 1337) on the first 128 training windows: ids, dL/dx, dL/dC."""
    model = MLP(config, RNG(1337))
    idx, targets = NgramTable(data.tokens["train"], config.context_length).examples(0, 128)
    table = model.wte.weight.detach().clone().requires_grad_(True)
    x = table[idx].flatten(1)
    loss = F.cross_entropy(model.mlp(x), targets)
    grad_x, grad_table = torch.autograd.grad(loss, [x, table])
    return idx, grad_x, grad_table


def _lookup_mistake(
    got: torch.Tensor, idx: torch.Tensor, grad_x: torch.Tensor, vocab_size: int
) -> str | None:
    """What a typical wrong table gradient got wrong, or None when it is none of them."""
    e = grad_x.shape[1] // idx.shape[1]
    ids, rows = idx.flatten(), grad_x.reshape(-1, e).double()
    used = torch.bincount(ids, minlength=vocab_size) > 0
    right = torch.zeros(vocab_size, e, dtype=torch.float64).index_add_(0, ids, rows)

    def close(a: torch.Tensor, b: torch.Tensor) -> bool:
        return a.shape == b.shape and bool(torch.allclose(a, b, atol=1e-5))

    if close(got[used], right[used]) and not close(got[~used], right[~used]):
        return say(
            "the rows of the symbols in the batch are right, but a symbol that occurs nowhere in "
            "idx should get a zero row: the loss does not depend on it. Start from torch.zeros(V, "
            "E), not torch.empty",
            "批中出现的符号对应的行是对的，但 idx 中没有出现的符号应当得到全零的行："
            "损失不依赖于它。请从 torch.zeros(V, E) 开始，而不是 torch.empty",
        )
    if all(
        any(close(got[v], rows[k]) for k in (ids == v).nonzero().flatten().tolist())
        for v in used.nonzero().flatten().tolist()
    ):
        return say(
            "each row holds the gradient of only one of the places its symbol stands: an "
            "assignment such as grad[idx] = ... keeps one write per repeated id. A symbol used k "
            "times gets the sum of its k rows: accumulate them (index_add_)",
            "每一行只含有它的符号所在的一个位置的梯度：像 grad[idx] = ... 这样的赋值，对重复的 id "
            "只保留一次写入。一个出现 k 次的符号应得到它那 k 行之和："
            "要把它们累加起来（index_add_）",
        )
    counts = torch.bincount(ids, minlength=vocab_size).clamp(min=1).double()
    if close(got, right / counts[:, None]):
        return say(
            "each row is the mean of the places its symbol stands; the lookup copies the row k "
            "times, so its gradient is the sum of the k rows, not their mean",
            "每一行是它的符号所在各位置的平均；查表把这一行复制了 k 次，所以它的梯度是这 k 行之和，"
            "而不是平均",
        )
    b, t = idx.shape
    shuffled = {
        say(
            "idx.T.flatten() lists the ids position by position, while the rows of grad_x are "
            "taken example by example: flatten both in the same order",
            "idx.T.flatten() 按位置逐个列出 id，而 grad_x 的行是按样本逐个排的："
            "两者要按同样的顺序展平",
        ): (idx.T.flatten(), rows),
        say(
            "grad_x is laid out as T blocks of E numbers per example (x = emb.view(B, T*E)), not "
            "E blocks of T: reshape it to (B, T, E), then (B*T, E)",
            "grad_x 在每个样本里是 T 块、每块 E 个数（x = emb.view(B, T*E)），而不是 E 块、每块 T "
            "个：先把它变形为 (B, T, E)，再变为 (B*T, E)",
        ): (
            ids,
            grad_x.reshape(b, e, t).transpose(1, 2).reshape(-1, e).double(),
        ),
    }
    for message, (wrong_ids, wrong_rows) in shuffled.items():
        wrong_table = torch.zeros(vocab_size, e, dtype=torch.float64)
        if close(got, wrong_table.index_add_(0, wrong_ids, wrong_rows)):
            return message
    return None


@checked
def check_embedding_grad(
    embedding_grad: Callable[[torch.Tensor, torch.Tensor, int], object] | None,
    config: ModelConfig,
    data: NamesData,
) -> Feedback:
    """Exercise 2.3: ``embedding_grad(idx, grad_x, vocab_size)`` is dL/dC of the lookup.

    The forward step is x = C[idx].flatten(1): ids (B, T), table C (V, E), x (B, T·E). Given
    dL/dx, the learner returns dL/dC, shape (V, E), compared with autograd on a tiny table
    (a symbol twice in one context, another never used) and on the names model of ``config``
    (seed 1337) for the first 128 training windows. Named: an assignment that keeps one of a
    repeated id's rows, a non-zero row for an unused symbol, a mean in place of the sum, ids
    and rows flattened in different orders, and blocks of T read as blocks of E.
    """
    if embedding_grad is None:
        return not_attempted(
            say("Write `embedding_grad` in the cell above", "在上面的单元格里写出 `embedding_grad`")
        )
    require(
        callable(embedding_grad),
        say(
            "embedding_grad should be a function (def ...)",
            "embedding_grad 应当是一个函数（def ...）",
        ),
    )
    v, t, e, b = TINY_TABLE
    idx, grad_x, table = _tiny_lookup()
    value = embedding_grad(idx.clone(), grad_x.clone(), v)
    if value is None:
        return not_attempted(
            say(
                "Fill in the body of `embedding_grad` in the cell above",
                "在上面的单元格里补全 `embedding_grad` 的函数体",
            )
        )
    got = as_tensor(value, "embedding_grad(idx, grad_x, V)")
    require(
        got.shape != (b * t, e) and got.shape != (b, t, e),
        say(
            f"you return one row per place in the batch, shape {tuple(got.shape)}: the table's "
            f"gradient has one row per symbol, (V, E) = ({v}, {e}). Add each place's row into the "
            "row of its symbol",
            f"你返回的是批中每个位置一行，形状 {tuple(got.shape)}：嵌入表的梯度是每个符号一行，(V, "
            f"E) = ({v}, {e})。把每个位置的行加到它的符号那一行上",
        ),
    )
    require(
        got.shape != (int(torch.unique(idx).numel()), e),
        say(
            f"you return a row only for the {int(torch.unique(idx).numel())} symbols in the batch; "
            f"the table has a row for each of the V = {v} symbols, zero for the unused ones",
            f"你只为批中出现的 {int(torch.unique(idx).numel())} 个符号返回了行；嵌入表对全部 V = "
            f"{v} 个符号各有一行，没用到的符号那一行为零",
        ),
    )
    expected = _table_gradient(idx, grad_x, table)
    if got.shape == expected.shape and not tensors_close(got, expected, atol=1e-5):
        mistake = _lookup_mistake(got, idx, grad_x, v)
        if mistake is not None:
            return wrong(mistake)
    differs = compare_tensors(
        got, expected, say("dL/dC on a tiny table", "小表上的 dL/dC"), atol=1e-5
    )
    if differs is not None:
        return differs
    idx, grad_x, expected = _names_lookup(config, data)
    got = embedding_grad(idx.clone(), grad_x.clone(), config.vocab_size)
    differs = compare_tensors(
        got, expected, say("dL/dC on the names model", "名字模型上的 dL/dC"), atol=1e-6
    )
    if differs is not None:
        return differs
    counts = torch.bincount(idx.flatten(), minlength=config.vocab_size)
    top = int(counts.argmax())
    symbol = data.tokenizer.decode([top])
    return correct(
        say(
            "your table gradient equals autograd's. In the names model's first batch of "
            f"{idx.shape[0]} windows, {symbol!r} stands in {int(counts[top])} of the {idx.numel()} "
            f"places, so its row is the sum of {int(counts[top])} rows of dL/dx; "
            f"{int((counts == 0).sum())} of the {config.vocab_size} symbols do not occur and get a "
            "zero row, which is why an embedding's gradient is sparse",
            f"你的嵌入表梯度与 autograd 的一致。在名字模型第一批的 {idx.shape[0]} 个窗口里，"
            f"{symbol!r} 占了 {idx.numel()} 个位置中的 {int(counts[top])} 个，所以它那一行是 dL/dx "
            f"的 {int(counts[top])} 行之和；{config.vocab_size} 个符号中有 "
            f"{int((counts == 0).sum())} 个没有出现，得到全零的行，这就是嵌入的梯度是稀疏的原因",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2.4 · direct connections from the embeddings to the output

# No two sizes equal (T·E = 12, H = 10, V = 7): a layer wired to the wrong input fails loudly.
TINY = ModelConfig(vocab_size=7, context_length=3, embedding_size=4, hidden_size=10)
TINY_SEED = 5


def _tiny_batch(config: ModelConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed batch of 16 random contexts (16, T) and targets (16,) for ``config``."""
    generator = torch.Generator().manual_seed(0)
    idx = torch.randint(config.vocab_size, (16, config.context_length), generator=generator)
    return idx, torch.randint(config.vocab_size, (16,), generator=generator)


def _direct_layer(model: nn.Module, config: ModelConfig) -> nn.Linear:
    """The model's ``direct`` layer, or a "not yet" saying how it should look."""
    t_e, v = config.context_length * config.embedding_size, config.vocab_size
    layer = getattr(model, "direct", None)
    require(
        isinstance(layer, nn.Linear),
        say(
            "DirectMLP needs a layer `self.direct = nn.Linear(T * E, V, bias=False)` (T·E "
            "concatenated embedding numbers in, one score per symbol out)",
            "DirectMLP 需要一个层 `self.direct = nn.Linear(T * E, V, bias=False)`（输入拼接起来的 "
            "T·E 个嵌入数值，每个符号输出一个分数）",
        ),
    )
    require(
        (layer.in_features, layer.out_features) == (t_e, v),
        say(
            f"self.direct maps {layer.in_features} numbers to {layer.out_features}; it should take "
            f"the concatenated embeddings (T·E = {t_e} here) to one score per symbol (V = {v})",
            f"self.direct 把 {layer.in_features} 个数映射到 {layer.out_features} 个；"
            f"它应当把拼接起来的嵌入（这里 T·E = {t_e}）映射为每个符号一个分数（V = {v}）",
        ),
    )
    require(
        layer.bias is None,
        say(
            "self.direct has a bias of its own, so the output gets two: the output layer already "
            "adds b2, and z = tanh(x W1 + b1) W2 + b2 + x Wd has no other. Use bias=False",
            "self.direct 有自己的偏置，于是输出得到两个：输出层已经加上了 b2，而 z = tanh(x W1 + "
            "b1) W2 + b2 + x Wd 没有别的偏置。请用 bias=False",
        ),
    )
    return layer


def _pair(out: object, what: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``out`` as forward's (logits, loss), or a "not yet" saying forward should return a pair."""
    require(
        isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], torch.Tensor),
        say(
            f"{what} should return a pair (logits, loss), as MLP's forward does",
            f"{what} 应当像 MLP 的 forward 那样返回一对 (logits, loss)",
        ),
    )
    return out


def _reference_logits(model: nn.Module, idx: torch.Tensor) -> torch.Tensor:
    """The direct-connection logits from the model's own layers: mlp(x) + x @ Wd^T."""
    x = model.wte(idx).flatten(1)
    return model.mlp(x) + x @ model.direct.weight.T


def _forward_mistakes(model: nn.Module, idx: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Logits a typical wrong forward gives, and what went wrong."""
    x = model.wte(idx).flatten(1)
    plain, direct = model.mlp(x), x @ model.direct.weight.T
    return [
        (
            plain,
            say(
                "these are the plain MLP's logits: add the direct term self.direct(x)",
                "这是普通 MLP 的 logits：要加上直连项 self.direct(x)",
            ),
        ),
        (
            plain + direct + model.mlp[-1].bias,
            say(
                "the output bias b2 is added twice: self.mlp already adds it, the direct term "
                "brings no bias of its own",
                "输出偏置 b2 被加了两次：self.mlp 已经加过它，直连项没有自己的偏置",
            ),
        ),
        (
            plain - direct,
            say(
                "the direct term is subtracted: z = tanh(x W1 + b1) W2 + b2 + x Wd",
                "直连项被减掉了：z = tanh(x W1 + b1) W2 + b2 + x Wd",
            ),
        ),
        (
            torch.softmax(plain + direct, dim=-1),
            say(
                "these are probabilities: forward returns the logits (scores before the softmax), "
                "and F.cross_entropy applies the softmax itself",
                "这是概率：forward 返回的是 logits（softmax 之前的分数），F.cross_entropy "
                "会自己做 softmax",
            ),
        ),
        (
            torch.tanh(plain + direct),
            say(
                "the tanh belongs to the hidden layer only, not the output",
                "tanh 只属于隐藏层，不作用于输出",
            ),
        ),
    ]


def _reference_gradients(
    model: nn.Module, idx: torch.Tensor, targets: torch.Tensor
) -> dict[str, torch.Tensor]:
    """Each parameter's gradient of the mean cross-entropy, through the paper's formula."""
    p = {name: q.detach().clone().requires_grad_(True) for name, q in model.named_parameters()}
    x = p["wte.weight"][idx].flatten(1)
    hidden = torch.tanh(x @ p["mlp.0.weight"].T + p["mlp.0.bias"])
    logits = hidden @ p["mlp.2.weight"].T + p["mlp.2.bias"] + x @ p["direct.weight"].T
    F.cross_entropy(logits, targets).backward()
    return {name: q.grad for name, q in p.items()}


@checked
def check_direct_mlp(DirectMLP: type | None) -> Feedback:  # noqa: N803 (a class, as named)
    """Exercise 2.4: ``DirectMLP(config, rng)`` is the MLP plus direct connections x @ Wd^T.

    On a tiny random model the check compares the learner's logits, loss and gradients with the
    formula computed from the model's own layers (its direct weights set to random numbers), and
    that a fresh model starts exactly as ``MLP(config, rng)`` does (direct weights at zero).
    """
    if DirectMLP is None:
        return not_attempted(
            say(
                "Write the class `DirectMLP` in the cell above",
                "在上面的单元格里写出类 `DirectMLP`",
            )
        )
    require(
        isinstance(DirectMLP, type) and issubclass(DirectMLP, MLP),
        say(
            "DirectMLP should be a class that extends the package's MLP: class DirectMLP(MLP): ...",
            "DirectMLP 应当是一个继承本包 MLP 的类：class DirectMLP(MLP): ...",
        ),
    )
    model = DirectMLP(TINY, RNG(TINY_SEED))
    idx, targets = _tiny_batch(TINY)
    out = model(idx, targets)
    if out is None:
        return not_attempted(
            say(
                "Fill in the body of DirectMLP's `forward` in the cell above",
                "在上面的单元格里补全 DirectMLP 的 `forward` 的函数体",
            )
        )
    _pair(out, "forward(idx, targets)")
    _direct_layer(model, TINY)
    extra = sum(p.numel() for p in model.parameters()) - TINY.num_parameters()
    wd = TINY.context_length * TINY.embedding_size * TINY.vocab_size
    require(
        extra == wd,
        say(
            f"DirectMLP has {extra} parameters more than MLP; the direct weights are T·E·V = {wd} "
            "numbers here, and nothing else is new",
            f"DirectMLP 比 MLP 多 {extra} 个参数；这里直连权重是 T·E·V = {wd} 个数，"
            "此外没有别的新参数",
        ),
    )

    plain = MLP(TINY, RNG(TINY_SEED))
    for name, tensor in plain.state_dict().items():
        require(
            torch.equal(model.state_dict()[name], tensor),
            say(
                f"at initialisation {name} is not MLP's: pass rng on, super().__init__(config, "
                "rng)",
                f"初始化时 {name} 与 MLP 的不同：请把 rng 传下去，super().__init__(config, rng)",
            ),
        )
    require(
        not model.direct.weight.detach().any(),
        say(
            "start self.direct's weights at zero (nn.init.zeros_): then DirectMLP(config, rng) "
            "begins exactly where MLP(config, rng) does, and comparing the two trained models "
            "measures the direct connections alone",
            "让 self.direct 的权重从零开始（nn.init.zeros_）：这样 DirectMLP(config, rng) "
            "的起点与 MLP(config, rng) 完全相同，比较训练后的两个模型衡量的就只是直连",
        ),
    )

    with torch.no_grad():  # now give the direct term something to show
        generator = torch.Generator().manual_seed(1)
        model.direct.weight.copy_(torch.randn(model.direct.weight.shape, generator=generator))
        expected = _reference_logits(model, idx)
        mistakes = _forward_mistakes(model, idx)
    logits, loss = _pair(model(idx, targets), "forward(idx, targets)")
    if compare_tensors(logits.detach(), expected, "logits", atol=1e-5) is not None:
        for mistaken, message in mistakes:
            if logits.shape == mistaken.shape and torch.allclose(logits, mistaken, atol=1e-5):
                return wrong(message)
        return compare_tensors(logits.detach(), expected, "logits", atol=1e-5)
    require(
        isinstance(loss, torch.Tensor) and loss.numel() == 1,
        say(
            "forward(idx, targets) should return the loss too: F.cross_entropy(logits, targets)",
            "forward(idx, targets) 还应当返回损失：F.cross_entropy(logits, targets)",
        ),
    )
    right_loss = F.cross_entropy(expected, targets)
    require(
        math.isclose(loss.item(), right_loss.item(), rel_tol=1e-5),
        say(
            f"the loss is {loss.item():.5f}; the mean cross-entropy of these logits is "
            f"{right_loss.item():.5f}: use F.cross_entropy(logits, targets)",
            f"损失是 {loss.item():.5f}；这些 logits 的平均交叉熵是 {right_loss.item():.5f}：请用 "
            "F.cross_entropy(logits, targets)",
        ),
    )
    _, no_loss = _pair(
        model(idx), say("forward(idx) without targets", "不带 targets 的 forward(idx)")
    )
    require(
        no_loss is None,
        say(
            "forward(idx) without targets should return (logits, None)",
            "不带 targets 的 forward(idx) 应当返回 (logits, None)",
        ),
    )

    model.zero_grad()
    loss.backward()
    for name, grad in _reference_gradients(model, idx, targets).items():
        mine = dict(model.named_parameters())[name].grad
        require(
            mine is not None,
            say(
                f"no gradient reaches {name}: is something detached or computed under no_grad?",
                f"没有梯度传到 {name}：是不是有什么被 detach 了，或者是在 no_grad 下算的？",
            ),
        )
        differs = compare_tensors(
            mine, grad, say(f"the gradient of {name}", f"{name} 的梯度"), atol=1e-5
        )
        if differs is not None:
            return differs
    lesson = ModelConfig()
    added = lesson.context_length * lesson.embedding_size * lesson.vocab_size
    return correct(
        say(
            "logits, loss and gradients match mlp(x) + x·Wd, and a new DirectMLP starts as the "
            f"plain MLP. At the notebook's sizes the direct weights add T·E·V = {added:,d} "
            f"parameters to the {lesson.num_parameters():,d} of the MLP",
            "logits、损失和梯度都与 mlp(x) + x·Wd 一致，新建的 DirectMLP 与普通 MLP 起点相同。"
            f"按笔记本里的大小，直连权重在 MLP 的 {lesson.num_parameters():,d} 个参数之外又增加了 "
            f"T·E·V = {added:,d} 个",
        )
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2.5 · do direct connections help?


@checked
def check_direct_run(
    direct_model: object, direct_history: object, history: History, data: NamesData
) -> Feedback:
    """Exercise 2.5: a DirectMLP and its ``train`` history, trained as the plain model was.

    ``history`` is the plain model's run. The direct model must compute mlp(x) + x @ Wd^T with
    its own layers and have moved its direct weights from zero; its history must belong to it
    (its last val loss is the model's, from ``split_loss``), start where the plain run started
    (the same initial model) and log the same steps (the same budget). The verdict says by how
    much the direct connections changed the final val loss.
    """
    if direct_model is None or direct_history is None:
        return not_attempted(
            say(
                "Set `direct_model` and `direct_history` in the cell above",
                "在上面的单元格里设置 `direct_model` 和 `direct_history`",
            )
        )
    require(
        isinstance(direct_model, MLP),
        say(
            "direct_model should be your DirectMLP, trained, not " + type(direct_model).__name__,
            "direct_model 应当是你训练好的 DirectMLP，而不是 " + type(direct_model).__name__,
        ),
    )
    require(
        isinstance(direct_history, History),
        say(
            "direct_history should be what train(direct_model, ...) returned, not "
            + type(direct_history).__name__,
            "direct_history 应当是 train(direct_model, ...) 的返回值，而不是 "
            + type(direct_history).__name__,
        ),
    )
    config = direct_model.config
    _direct_layer(direct_model, config)
    contexts, _ = NgramTable(data.tokens["val"], config.context_length).examples(0, 256)
    with torch.no_grad():
        logits, _ = _pair(direct_model(contexts), "direct_model(idx)")
        differs = compare_tensors(logits, _reference_logits(direct_model, contexts), "logits")
    require(
        differs is None,
        say(
            "direct_model does not compute mlp(x) + direct(x): see exercise 2.4",
            "direct_model 算的不是 mlp(x) + direct(x)：见练习 2.4",
        ),
    )
    require(
        bool(direct_model.direct.weight.detach().any()),
        say(
            "the direct weights are still all zero: train direct_model first (it starts there)",
            "直连权重还全是零：请先训练 direct_model（它从零开始）",
        ),
    )
    require(
        bool(direct_history.step),
        say(
            "direct_history is empty: it should come from train(...)",
            "direct_history 是空的：它应当来自 train(...)",
        ),
    )
    final = split_loss(direct_model, data, "val")
    require(
        abs(final - direct_history.val_loss[-1]) < 1e-3,
        say(
            f"direct_model's val loss is {final:.4f}, but direct_history ends at "
            f"{direct_history.val_loss[-1]:.4f}: keep the history of this model's one training run",
            f"direct_model 的验证损失是 {final:.4f}，但 direct_history 最后是 "
            f"{direct_history.val_loss[-1]:.4f}：请保留这个模型那一次训练的记录",
        ),
    )
    require(
        direct_history.step == history.step,
        say(
            f"direct_history logs steps up to {direct_history.step[-1]}, the plain run up to "
            f"{history.step[-1]}: train both for the same number of steps, "
            f"TrainConfig(num_steps={history.step[-1] + 1})",
            f"direct_history 记录到第 {direct_history.step[-1]} 步，普通模型的训练记录到第 "
            f"{history.step[-1]} 步：两者要训练同样多的步数，"
            f"TrainConfig(num_steps={history.step[-1] + 1})",
        ),
    )
    require(
        math.isclose(direct_history.val_loss[0], history.val_loss[0], rel_tol=1e-9),
        say(
            f"the runs start from different models (val loss {direct_history.val_loss[0]:.4f} "
            f"against {history.val_loss[0]:.4f} at step 0): build yours from the same RNG seed as "
            "the plain model, with the direct weights at zero",
            f"两次训练的起点是不同的模型（第 0 步验证损失 {direct_history.val_loss[0]:.4f} 对 "
            f"{history.val_loss[0]:.4f}）：请用与普通模型相同的 RNG 种子构建你的模型，直连权重为零",
        ),
    )
    ours, plain = direct_history.val_loss[-1], history.val_loss[-1]
    diff = ours - plain
    verdict = say("help", "有帮助") if diff < 0 else say("cost a little", "略有代价")
    return correct(
        say(
            f"val loss {ours:.4f} with direct connections, {plain:.4f} without, after the same "
            f"{history.step[-1] + 1:,d} steps from the same start: {diff:+.4f} nats, so here the "
            f"direct connections {verdict}. Whether a difference of this size is more than luck, "
            "the same two runs from other seeds (RNG(1338), RNG(1339), ...) would tell",
            f"从同一起点训练同样的 {history.step[-1] + 1:,d} 步之后，有直连时验证损失 {ours:.4f}，"
            f"没有时 {plain:.4f}：相差 {diff:+.4f} 奈特，所以在这里直连{verdict}。"
            "这么大的差别是否不只是运气，要用其他种子（RNG(1338)、RNG(1339)……）"
            "把这两次训练再跑一遍才知道",
        )
    )

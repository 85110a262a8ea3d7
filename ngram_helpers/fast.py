"""Faster, equivalent ways to compute the MLP and gradients (used by the full run, notebook 04).

The notebooks teach ``MLP.forward`` with autograd. This module computes the same numbers (up to
float rounding) with fewer operations; ``tests/test_fast.py`` checks the equivalence.

**Position tables.** The first layer multiplies the concatenated embeddings by ``W1``. Split
``W1`` into one (E, H) block per context position ``t``; then

    concat(wte[x_1], ..., wte[x_T]) @ W1  =  sum_t  wte[x_t] @ W1_t  =  sum_t  P_t[x_t]

with ``P_t = wte @ W1_t``, a small (V, H) table. Building the T tables costs T*V*E*H
multiply-adds, instead of B*T*E*H for the batch, and the batch then only needs row lookups
(``F.embedding_bag`` gathers and sums them in one operation). The tables are built by one batched
product that reads the blocks ``W1_t`` where ``nn.Linear`` keeps them, without copying ``W1``.

**Backpropagation by hand.** ``FastStep`` writes the gradients of the mean cross-entropy into the
parameters' ``.grad`` without autograd, so any torch optimiser can take the step. With
``h = tanh(pre)``, ``logits = h @ W2.T + b2`` and ``p = softmax(logits)``:

    dlogits = (p - onehot(targets)) / B        dW2 = dlogits.T @ h       db2 = sum_b dlogits
    dpre    = (dlogits @ W2) * (1 - h**2)      db1 = sum_b dpre
    dP_t[v] = sum of dpre over the examples whose position-t character is v
    dW1_t   = wte.T @ dP_t                     dwte = sum_t dP_t @ W1_t.T

These formulas are for the lesson's one hidden layer without dropout. Deeper models
(``hidden_layers`` > 1) and dropout (both notebook 05) keep the position tables for their first
layer and let autograd do the rest (``AutogradStep``); ``gradient_step`` picks the right one.

**tanh.** ``torch.tanh`` is several times slower than ``torch.sigmoid`` on the CPUs we measured,
so the hidden layer uses the identity ``tanh(x) = 2 * sigmoid(2x) - 1`` (differences from
``torch.tanh`` stay below 2e-7). ``FastStep`` doubles the tables and the bias for free inside
the products that make them (doubling is exact in floating point), so the 2x costs no pass.

**One flat buffer.** ``FastStep`` moves all parameters (and their gradients) into one flat
tensor, each parameter becoming a view of its slice. The optimiser then sees a single tensor, and
fused AdamW's per-tensor bookkeeping, which costs more than its arithmetic at this size, is paid
once instead of five times a step. Every element is updated by the same formula, so the numbers
do not change. ``FlatAdamW`` goes one step further and calls the same fused update without the
``torch.optim.Optimizer`` wrapper (hooks, state lookups, grouping by device), which at this size
costs more than the update itself.

**Evaluation.** The loss of a split is taken over a fixed list of examples, many of which share a
context, so ``SplitEvaluator`` computes the logits of each distinct context once and reuses them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ngram_helpers.data import eval_batch_count, evaluation_examples
from ngram_helpers.models import MLP


def sigmoid_tanh(x: torch.Tensor) -> torch.Tensor:
    """``tanh(x)`` computed as ``2 * sigmoid(2x) - 1``: the same function, a faster kernel."""
    return torch.sigmoid(x * 2).mul(2).sub(1)


def sigmoid_tanh_(x: torch.Tensor) -> torch.Tensor:
    """``sigmoid_tanh`` in place (no autograd): the same numbers without new tensors."""
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


def first_layer_blocks(model: MLP) -> torch.Tensor:
    """``W1`` seen as (T, E, H): block t is ``W1_t``, the rows position t multiplies.

    A view of the first layer's weight (stored (H, T*E) by ``nn.Linear``), not a copy: each
    block is a matrix whose columns lie T*E numbers apart, a layout matrix products read as is.
    """
    cfg = model.config
    w1 = model.mlp[0].weight.view(cfg.hidden_size, cfg.context_length, cfg.embedding_size)
    return w1.permute(1, 2, 0)


def position_tables(model: MLP) -> torch.Tensor:
    """The tables ``P_t = wte @ W1_t``, stacked (T, V, H), from one batched product.

    Seen as (T*V, H), the table row of character v at position t is row ``t*V + v``.
    """
    return torch.matmul(model.wte.weight, first_layer_blocks(model))


def table_rows(idx: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Row numbers into the (T*V, H) tables: character v at position t is row ``t*V + v``."""
    context_length = idx.shape[1]
    return torch.add(idx, torch.arange(context_length), alpha=vocab_size)


def fast_logits(model: MLP, idx: torch.Tensor, dropout: float = 0.0) -> torch.Tensor:
    """The model's logits (B, V) for contexts ``idx`` (B, T), through the position tables.

    ``dropout`` > 0 (training only, notebook 05) zeroes that share of every hidden layer's
    outputs at random and scales the rest up by 1 / (1 - dropout), so on average each hidden unit
    passes on what it would without dropout. The model itself has no dropout: evaluation,
    sampling and ``MLP.forward`` always use every unit.
    """
    tables = position_tables(model).view(-1, model.config.hidden_size)  # (T*V, H)
    rows = table_rows(model.read(idx), model.config.vocab_size)
    pre = F.embedding_bag(rows, tables, mode="sum").add_(model.mlp[0].bias)  # (B, H)
    x = sigmoid_tanh(pre) if torch.is_grad_enabled() else sigmoid_tanh_(pre)
    for layer in model.mlp[2:]:  # more hidden layers, if any, then the output layer
        if dropout and isinstance(layer, torch.nn.Linear):  # the input of every later layer
            x = F.dropout(x, dropout)
        x = layer(x)
    return x


def fast_loss(
    model: MLP, idx: torch.Tensor, targets: torch.Tensor, dropout: float = 0.0
) -> torch.Tensor:
    """Mean cross-entropy of the batch, as ``model(idx, targets)[1]`` computes it (no dropout)."""
    return F.cross_entropy(fast_logits(model, idx, dropout), targets)


def flatten_parameters(model: torch.nn.Module) -> torch.nn.Parameter:
    """Move ``model``'s parameters and gradients into one flat buffer; return it as a Parameter.

    Each parameter's data (and ``.grad``) becomes a view of its slice of the buffer (and of the
    buffer's ``.grad``), so an optimiser stepping the returned Parameter updates the model in
    place. Values are kept; gradients start at zero.
    """
    params = list(model.parameters())
    flat = torch.nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
    flat.grad = torch.zeros_like(flat)
    offset = 0
    for p in params:
        size = p.numel()
        p.data = flat.data[offset : offset + size].view_as(p)
        p.grad = flat.grad[offset : offset + size].view_as(p)
        offset += size
    return flat


class FlatAdamW:
    """AdamW for one tensor: ``torch.optim.AdamW(..., fused=True)``'s update, called directly.

    Holds the two moment buffers and the step count itself and calls ``torch._fused_adamw_``,
    the kernel ``torch.optim.AdamW(fused=True)`` ends in, with the same defaults (betas 0.9,
    0.999, eps 1e-8), so each step gives bit-identical numbers (``tests/test_fast.py`` checks).
    Skipping the Python layers in between (hooks, state lookups, grouping the tensors by device)
    halves the cost of a step at this size. Set ``lr`` before each ``step()`` to follow a schedule.
    """

    def __init__(self, param: torch.nn.Parameter, lr: float, weight_decay: float) -> None:
        self.param, self.lr, self.weight_decay = param, lr, weight_decay
        self.exp_avg = torch.zeros_like(param)
        self.exp_avg_sq = torch.zeros_like(param)
        self.steps = torch.zeros((), dtype=torch.float32)
        self.one = torch.ones(())

    @torch.no_grad()
    def step(self) -> None:
        """Update ``param`` in place from ``param.grad``."""
        self.steps.add_(self.one)  # the step count goes up first, as in torch.optim.AdamW
        torch._fused_adamw_(
            [self.param], [self.param.grad], [self.exp_avg], [self.exp_avg_sq], [], [self.steps],
            lr=self.lr, beta1=0.9, beta2=0.999, weight_decay=self.weight_decay, eps=1e-8,
            amsgrad=False, maximize=False,
        )  # fmt: skip


class FastStep:
    """Forward and backward pass of one batch, by hand, into the parameters' ``.grad``.

    Computes the gradients of ``fast_loss(model, idx, targets)`` (formulas in the module
    docstring) and stores them in each parameter's ``.grad``, overwriting what was there; the
    optimiser then updates the parameters as after ``loss.backward()``. No autograd graph is
    built and the parameter tensors are looked up once, so a step is about twenty tensor ops, and
    small constants are tensors made once (a Python number costs a conversion on every call).

    The parameters are moved into one flat buffer, ``self.flat``: step it with ``FlatAdamW`` (or
    give a torch optimiser ``[step.flat]``) rather than ``model.parameters()``.
    """

    def __init__(self, model: MLP) -> None:
        if model.config.hidden_layers != 1:
            raise ValueError(
                f"FastStep handles one hidden layer, not {model.config.hidden_layers}: "
                f"use AutogradStep (or gradient_step, which picks)"
            )
        self.model = model
        self.wte = model.wte.weight  # (V, E)
        self.w1 = model.mlp[0].weight  # (H, T*E)
        self.b1 = model.mlp[0].bias  # (H,)
        self.w2 = model.mlp[2].weight  # (V, H)
        self.b2 = model.mlp[2].bias  # (V,)
        self.flat = flatten_parameters(model)
        self.zero = torch.zeros(1, 1, 1)
        self.one = torch.ones(1)
        self.minus_one = torch.full((1, 1), -1.0)

    @torch.no_grad()
    def __call__(self, idx: torch.Tensor, targets: torch.Tensor) -> None:
        """Set every parameter's ``.grad`` to the gradient of the batch's mean cross-entropy."""
        batch, t = idx.shape
        v, e = self.wte.shape
        h = self.b1.shape[0]
        # forward: hidden layer through the position tables (made doubled, for sigmoid_tanh's
        # 2x), then the output layer
        blocks = first_layer_blocks(self.model)  # (T, E, H), a view of W1
        tables_x2 = torch.baddbmm(self.zero, self.wte.expand(t, v, e), blocks, beta=0, alpha=2)
        rows = table_rows(self.model.read(idx), v)  # (B, T)
        pre_x2 = F.embedding_bag(rows, tables_x2.view(t * v, h), mode="sum").add_(self.b1, alpha=2)
        hidden = torch.add(self.minus_one, pre_x2.sigmoid_(), alpha=2)  # tanh(pre), (B, H)
        # the output layer computed transposed, (V, B): the faster product on the CPUs we tried
        logits_t = torch.addmm(self.b2.unsqueeze(1), self.w2, hidden.t())
        # backward: softmax + cross-entropy, output layer, tanh, then the tables
        dlogits_t = torch.softmax(logits_t, dim=0)
        dlogits_t.scatter_add_(0, targets.unsqueeze(0), self.minus_one.expand(1, batch))
        dlogits_t /= batch
        torch.mm(dlogits_t, hidden, out=self.w2.grad)
        torch.sum(dlogits_t, dim=1, out=self.b2.grad)
        dhidden = dlogits_t.t() @ self.w2  # (B, H)
        dpre = dhidden.mul_(torch.addcmul(self.one, hidden, hidden, value=-1))  # * (1 - h^2)
        torch.sum(dpre, dim=0, out=self.b1.grad)
        dtables = torch.zeros(t * v, h)  # row t*V+v: sum of dpre where position t holds v
        rows_by_position = rows.t().contiguous()  # index_add_ is faster with a contiguous index
        for position in range(t):
            dtables.index_add_(0, rows_by_position[position], dpre)
        dtables = dtables.view(t, v, h)
        # dW1_t = wte.T @ dP_t, written straight into W1's gradient seen as (T, H, E) blocks
        w1_grad_blocks = self.w1.grad.view(h, t, e).transpose(0, 1)
        torch.bmm(dtables.transpose(1, 2), self.wte.expand(t, v, e), out=w1_grad_blocks)
        torch.sum(torch.bmm(dtables, blocks.transpose(1, 2)), dim=0, out=self.wte.grad)


class AutogradStep:
    """``FastStep``'s job for a model of any depth, with or without dropout: autograd computes it.

    The gradients of ``fast_loss`` (with ``dropout``) are copied into the parameters' ``.grad``
    (views of the flat buffer ``self.flat``, as with ``FastStep``). Deeper models and dropout
    (notebook 05) are trained this way.
    """

    def __init__(self, model: MLP, dropout: float = 0.0) -> None:
        self.model = model
        self.dropout = dropout
        self.flat = flatten_parameters(model)
        self.params = list(model.parameters())

    def __call__(self, idx: torch.Tensor, targets: torch.Tensor) -> None:
        """Set every parameter's ``.grad`` to the gradient of the batch's mean cross-entropy."""
        loss = fast_loss(self.model, idx, targets, self.dropout)
        grads = torch.autograd.grad(loss, self.params)
        for param, grad in zip(self.params, grads, strict=True):
            param.grad.copy_(grad)


def gradient_step(model: MLP, dropout: float = 0.0) -> FastStep | AutogradStep:
    """``FastStep`` for the lesson's model (one hidden layer, no dropout), else ``AutogradStep``."""
    if model.config.hidden_layers == 1 and not dropout:
        return FastStep(model)
    return AutogradStep(model, dropout)


class SplitEvaluator:
    """The reference evaluation of one split, with each distinct context computed once.

    The reference averages the mean loss of ``num_batches`` consecutive batches of the n-gram
    walk. The examples involved never change, so they are collected once here; each call then
    scores the distinct contexts and gathers every example's loss from them.
    """

    def __init__(
        self, tokens: list[int], context_length: int, batch_size: int, max_batches: int | None
    ) -> None:
        num_batches = eval_batch_count(len(tokens), batch_size, max_batches)
        if num_batches == 0:
            raise ValueError(f"split has {len(tokens)} tokens: not one batch of {batch_size}")
        self.num_batches, self.batch_size = num_batches, batch_size
        contexts, self.targets = evaluation_examples(
            tokens, context_length, batch_size, max_batches
        )
        self.unique_contexts, self.inverse = torch.unique(contexts, dim=0, return_inverse=True)

    @torch.inference_mode()
    def __call__(self, model: MLP) -> float:
        """Mean over batches of each batch's mean negative log-likelihood, as a Python float."""
        logprobs = F.log_softmax(fast_logits(model, self.unique_contexts), dim=-1)
        losses = -logprobs[self.inverse, self.targets]
        batch_means = losses.view(self.num_batches, self.batch_size).mean(dim=1)
        return sum(batch_means.tolist()) / self.num_batches

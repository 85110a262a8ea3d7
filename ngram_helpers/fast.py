"""The fast engine: the same training step with fewer operations (shown in notebook 04).

``train(..., engine="fast")`` uses this module; the default, ``engine="plain"``, runs the model's
own forward, ``loss.backward()`` and ``torch.optim.AdamW``. Both compute the same numbers up to
float rounding (``tests/test_fast.py`` checks it, and both reprint the lesson's log). Evaluation
is the same for both engines: the model's own forward (``ngram_helpers.evaluate``).

**Position tables.** The first layer multiplies the concatenated embeddings by ``W1``. Split
``W1`` into one (E, H) block per context position ``t``; then

    concat(wte[x_1], ..., wte[x_T]) @ W1  =  sum_t  wte[x_t] @ W1_t  =  sum_t  P_t[x_t]

with ``P_t = wte @ W1_t``, a small (V, H) table. Building the T tables costs T*V*E*H
multiply-adds, instead of B*T*E*H for the batch, and the batch then only needs row lookups
(``F.embedding_bag`` gathers and sums them in one operation). The tables are built by one batched
product that reads the blocks ``W1_t`` where ``nn.Linear`` keeps them, without copying ``W1``.

**Backpropagation by hand.** ``FastStep`` writes the gradients of the mean cross-entropy into the
parameters' ``.grad`` without autograd. With ``h = tanh(pre)``, ``logits = h @ W2.T + b2`` and
``p = softmax(logits)``:

    dlogits = (p - onehot(targets)) / B        dW2 = dlogits.T @ h       db2 = sum_b dlogits
    dpre    = (dlogits @ W2) * (1 - h**2)      db1 = sum_b dpre
    dP_t[v] = sum of dpre over the examples whose position-t character is v
    dW1_t   = wte.T @ dP_t                     dwte = sum_t dP_t @ W1_t.T

These formulas are for the lesson's one hidden layer without dropout. Deeper models
(``hidden_layers`` > 1) and dropout (both notebook 05) keep the position tables for their first
layer and let autograd do the rest (``AutogradStep``); ``gradient_step`` picks the right one.
The model's own later layers (its ``nn.Dropout`` included) are called as they are.

**tanh.** ``torch.tanh`` is several times slower than ``torch.sigmoid`` on the CPUs we measured,
so the hidden layer uses the identity ``tanh(x) = 2 * sigmoid(2x) - 1`` (differences from
``torch.tanh`` stay below 2e-7). ``FastStep`` doubles the tables and the bias for free inside
the products that make them (doubling is exact in floating point), so the 2x costs no pass.

**One flat buffer.** The parameters (and their gradients) are moved into one flat tensor, each
parameter becoming a view of its slice. The fused AdamW update then runs on a single tensor: its
per-tensor bookkeeping, which costs more than its arithmetic at this size, is paid once instead
of five times a step. Every element is updated by the same formula, so the numbers do not change.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.optim.adamw import adamw

from ngram_helpers.models import MLP

# Where the fast engine runs: the CPU, for which it was written, and CUDA GPUs. (On Apple's mps
# some of its operations are missing or slower; train() falls back to the plain engine there.)
FAST_DEVICES = ("cpu", "cuda")


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
    return torch.add(idx, torch.arange(context_length, device=idx.device), alpha=vocab_size)


def fast_logits(model: MLP, idx: torch.Tensor) -> torch.Tensor:
    """The model's logits (B, V) for contexts ``idx`` (B, T), through the position tables.

    After the first layer, the model's own layers run as they are: its ``nn.Dropout`` layers
    (notebook 05) drop units in training mode and pass everything in evaluation mode.
    """
    tables = position_tables(model).view(-1, model.config.hidden_size)  # (T*V, H)
    rows = table_rows(model.read(idx), model.config.vocab_size)
    pre = F.embedding_bag(rows, tables, mode="sum").add_(model.mlp[0].bias)  # (B, H)
    x = sigmoid_tanh(pre) if torch.is_grad_enabled() else sigmoid_tanh_(pre)
    for layer in model.mlp[2:]:  # dropout, more hidden layers, if any, then the output layer
        x = layer(x)
    return x


def fast_loss(model: MLP, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of the batch, as ``model(idx, targets)[1]`` computes it."""
    return F.cross_entropy(fast_logits(model, idx), targets)


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


class FastStep:
    """Forward and backward pass of one batch, by hand, into the parameters' ``.grad``.

    Computes the gradients of ``fast_loss(model, idx, targets)`` (formulas in the module
    docstring) and stores them in each parameter's ``.grad``, overwriting what was there; the
    optimiser then updates the parameters as after ``loss.backward()``. No autograd graph is
    built and the parameter tensors are looked up once, so a step is about twenty tensor ops, and
    small constants are tensors made once (a Python number costs a conversion on every call).

    The parameters are moved into one flat buffer, ``self.flat``: give the optimiser
    ``[step.flat]`` rather than ``model.parameters()``.
    """

    def __init__(self, model: MLP) -> None:
        if model.config.hidden_layers != 1 or model.config.dropout:
            raise ValueError(
                f"FastStep handles one hidden layer without dropout, not hidden_layers="
                f"{model.config.hidden_layers}, dropout={model.config.dropout}: "
                f"use AutogradStep (or gradient_step, which picks)"
            )
        self.model = model
        self.wte = model.wte.weight  # (V, E)
        self.w1 = model.mlp[0].weight  # (H, T*E)
        self.b1 = model.mlp[0].bias  # (H,)
        self.w2 = model.mlp[-1].weight  # (V, H)
        self.b2 = model.mlp[-1].bias  # (V,)
        self.flat = flatten_parameters(model)
        device = self.flat.device
        self.zero = torch.zeros(1, 1, 1, device=device)
        self.one = torch.ones(1, device=device)
        self.minus_one = torch.full((1, 1), -1.0, device=device)

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
        dtables = self.wte.new_zeros(t * v, h)  # row t*V+v: sum of dpre where position t holds v
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

    The gradients of ``fast_loss`` are copied into the parameters' ``.grad`` (views of the flat
    buffer ``self.flat``, as with ``FastStep``). Deeper models and dropout (notebook 05) are
    trained this way.
    """

    def __init__(self, model: MLP) -> None:
        self.model = model
        self.flat = flatten_parameters(model)
        self.params = list(model.parameters())

    def __call__(self, idx: torch.Tensor, targets: torch.Tensor) -> None:
        """Set every parameter's ``.grad`` to the gradient of the batch's mean cross-entropy."""
        loss = fast_loss(self.model, idx, targets)
        grads = torch.autograd.grad(loss, self.params)
        for param, grad in zip(self.params, grads, strict=True):
            param.grad.copy_(grad)


def gradient_step(model: MLP) -> FastStep | AutogradStep:
    """``FastStep`` for the lesson's model (one hidden layer, no dropout), else ``AutogradStep``."""
    if model.config.hidden_layers == 1 and not model.config.dropout:
        return FastStep(model)
    return AutogradStep(model)


class FastEngine:
    """One training step of the fast engine: gradients by ``gradient_step``, one fused AdamW.

    ``train(..., engine="fast")`` calls it once per batch with that step's learning rate. The
    update is ``torch.optim.adamw.adamw(..., fused=True)``, the functional form of
    ``torch.optim.AdamW(fused=True)`` (the same kernel, bit for bit; ``tests/test_fast.py``
    checks), applied to the one flat parameter buffer. It skips the ``Optimizer`` wrapper (hooks,
    state lookups, grouping by device), which at this size costs more than the update itself.
    """

    def __init__(self, model: MLP, weight_decay: float) -> None:
        self.compute_gradients = gradient_step(model)
        self.flat = self.compute_gradients.flat
        self.weight_decay = weight_decay
        self.exp_avg = torch.zeros_like(self.flat)  # AdamW's first moment
        self.exp_avg_sq = torch.zeros_like(self.flat)  # and its second moment
        self.steps = torch.zeros((), device=self.flat.device)  # counted up by the update itself

    def __call__(self, inputs: torch.Tensor, targets: torch.Tensor, lr: float) -> None:
        """Update the model's parameters from one batch at learning rate ``lr``."""
        self.compute_gradients(inputs, targets)  # overwrites every .grad: nothing to zero
        self.update(lr)

    @torch.no_grad()
    def update(self, lr: float) -> None:
        """One AdamW step of the flat buffer from its gradient."""
        adamw(
            [self.flat], [self.flat.grad], [self.exp_avg], [self.exp_avg_sq], [], [self.steps],
            fused=True, amsgrad=False, beta1=0.9, beta2=0.999, lr=lr,
            weight_decay=self.weight_decay, eps=1e-8, maximize=False,
        )  # fmt: skip

"""The learning-rate finder of notebook 05 (Smith, 2015, "Cyclical learning rates").

Start from the initial model and take one AdamW step per learning rate while the rate grows,
recording the training-batch loss before each step: the loss falls slowly while the steps are
too small, fast in a good range, and climbs once they are too large.
"""

from __future__ import annotations

import torch

from ngram_helpers.data import NamesData, NgramTable
from ngram_helpers.models import MLP


def lr_range_test(
    model: MLP, data: NamesData, lrs: list[float], batch_size: int = 128, weight_decay: float = 1e-4
) -> list[float]:
    """One AdamW step per learning rate in ``lrs``, in order; the batch loss before each step.

    The sweep stops early once the loss exceeds 4 times its lowest value: past that point the
    model is wrecked and the numbers say nothing more. ``model`` is trained in place.
    """
    batches = NgramTable(data.tokens["train"], model.config.context_length)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lrs[0], weight_decay=weight_decay)
    losses: list[float] = []
    for step, lr in enumerate(lrs):
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets = batches.batch(step, batch_size)
        _, loss = model(inputs, targets)
        losses.append(loss.item())
        if losses[-1] > 4 * min(losses):
            break
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return losses

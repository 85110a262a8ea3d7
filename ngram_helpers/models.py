"""The Bengio et al. (2003) MLP language model, twice (introduced in notebook 02).

The model reads the previous ``T`` characters, looks each one up in an embedding table, joins the
vectors into one, passes it through a tanh hidden layer and outputs one score (logit) per
character of the vocabulary:

    logits = tanh(concat(wte[x_1], ..., wte[x_T]) @ W1 + b1) @ W2 + b2

``MLPRaw`` writes this with bare tensors so every operation is visible; ``MLP`` is the same
model as a ``torch.nn.Module``. Both draw their initial weights from ``RNG`` in the same order, so
they start with identical numbers and compute identical logits.

Reference: Bengio, Ducharme, Vincent, Jauvin. A Neural Probabilistic Language Model. JMLR 2003.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ngram_helpers.rng import RNG


@dataclass(frozen=True)
class ModelConfig:
    """Shapes of the MLP language model."""

    vocab_size: int = 27
    context_length: int = 3
    embedding_size: int = 48
    hidden_size: int = 512
    hidden_layers: int = 1  # the lesson's model has one; notebook 05 tries a deeper stack

    def num_parameters(self) -> int:
        """Parameter count by formula: V*E + (T*E*H + H) + (L-1)*(H*H + H) + (H*V + V)."""
        v, t, e, h = self.vocab_size, self.context_length, self.embedding_size, self.hidden_size
        deeper = (self.hidden_layers - 1) * (h * h + h)
        return v * e + (t * e * h + h) + deeper + (h * v + v)


def initial_weights(config: ModelConfig, rng: RNG) -> dict[str, torch.Tensor]:
    """Draw the initial weights in the reference order.

    The embedding is N(0, 1); each linear layer is U(-s, s) with s = 1/sqrt(fan_in), the
    PyTorch default. Linear weights come out in nn.Linear's (out_features, in_features) layout.
    The names are the lesson's: ``fc1`` the first layer, ``fc2`` the output layer. A deeper model
    (``hidden_layers`` L > 1) has (H, H) layers ``hidden2`` ... ``hiddenL`` in between, drawn
    after ``fc1`` and before ``fc2``, so its first layer starts as the lesson's does.
    """
    v, t, e, h = (
        config.vocab_size,
        config.context_length,
        config.embedding_size,
        config.hidden_size,
    )

    def uniform(shape: tuple[int, ...], scale: float) -> torch.Tensor:
        return torch.tensor(rng.rand(math.prod(shape), -scale, scale)).view(shape)

    wte = torch.tensor(rng.randn(v * e, 0.0, 1.0)).view(v, e)
    s1 = 1 / math.sqrt(t * e)
    weights = {"wte": wte, "fc1_weight": uniform((h, t * e), s1), "fc1_bias": uniform((h,), s1)}
    s2 = 1 / math.sqrt(h)
    for layer in range(2, config.hidden_layers + 1):
        weights[f"hidden{layer}_weight"] = uniform((h, h), s2)
        weights[f"hidden{layer}_bias"] = uniform((h,), s2)
    weights["fc2_weight"], weights["fc2_bias"] = uniform((v, h), s2), uniform((v,), s2)
    return weights


class MLPRaw:
    """The model with plain tensors: parameters are a list, forward is four lines."""

    def __init__(self, config: ModelConfig, rng: RNG) -> None:
        if config.hidden_layers != 1:
            raise ValueError(
                f"MLPRaw is the lesson's one-hidden-layer model; use MLP for "
                f"hidden_layers={config.hidden_layers}"
            )
        self.config = config
        w = initial_weights(config, rng)
        self.wte = w["wte"]  # (V, E)
        self.fc1_weights = w["fc1_weight"].T  # (T*E, H), a transposed view as nn.Linear uses
        self.fc1_bias = w["fc1_bias"]  # (H,)
        self.fc2_weights = w["fc2_weight"].T  # (H, V)
        self.fc2_bias = w["fc2_bias"]  # (V,)
        for p in self.parameters():
            p.requires_grad_(True)

    def parameters(self) -> list[torch.Tensor]:
        return [self.wte, self.fc1_weights, self.fc1_bias, self.fc2_weights, self.fc2_bias]

    def __call__(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, V) for contexts ``idx`` (B, T); the mean cross-entropy if targets given."""
        batch = idx.shape[0]
        emb = self.wte[idx].view(batch, -1)  # (B, T*E): the T embeddings side by side
        # torch.addmm(b, x, W) is x @ W + b in one fused call, exactly what nn.Linear runs, so
        # the two versions of the model agree bit for bit.
        hidden = torch.tanh(torch.addmm(self.fc1_bias, emb, self.fc1_weights))  # (B, H)
        logits = torch.addmm(self.fc2_bias, hidden, self.fc2_weights)  # (B, V)
        loss = None if targets is None else F.cross_entropy(logits, targets)
        return logits, loss


class MLP(nn.Module):
    """The same model as an ``nn.Module``: an Embedding and a Linear-Tanh-Linear stack.

    With ``config.hidden_layers`` L > 1 the stack has L Linear-Tanh pairs before the output
    layer (notebook 05); ``mlp[0]`` is always the first layer and ``mlp[-1]`` the output layer.
    """

    def __init__(self, config: ModelConfig, rng: RNG | None = None) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.embedding_size)
        h = config.hidden_size
        layers = [nn.Linear(config.context_length * config.embedding_size, h), nn.Tanh()]
        for _ in range(config.hidden_layers - 1):
            layers += [nn.Linear(h, h), nn.Tanh()]
        self.mlp = nn.Sequential(*layers, nn.Linear(h, config.vocab_size))
        if rng is not None:
            self.load_initial_weights(rng)

    @torch.no_grad()
    def load_initial_weights(self, rng: RNG) -> None:
        """Overwrite PyTorch's random init with the reference draws from ``rng``."""
        w = initial_weights(self.config, rng)
        self.wte.weight.copy_(w["wte"])
        names = ["fc1"] + [f"hidden{k}" for k in range(2, self.config.hidden_layers + 1)] + ["fc2"]
        linears = [layer for layer in self.mlp if isinstance(layer, nn.Linear)]
        for name, linear in zip(names, linears, strict=True):
            linear.weight.copy_(w[f"{name}_weight"])
            linear.bias.copy_(w[f"{name}_bias"])

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, V) for contexts ``idx`` (B, T); the mean cross-entropy if targets given."""
        emb = self.wte(idx).flatten(1)  # (B, T*E)
        logits = self.mlp(emb)  # (B, V)
        loss = None if targets is None else F.cross_entropy(logits, targets)
        return logits, loss

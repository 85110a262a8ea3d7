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
    # notebook 05: hide the characters of the previous name (see ``current_name_only``)
    current_name_only: bool = False
    # notebook 05: the share of each hidden layer's outputs zeroed at random while training
    dropout: float = 0.0
    # the tokenizer's end-of-name id (``Tokenizer.end_token``); ``build_model`` checks it
    end_token: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be at least 0 and below 1, got {self.dropout}")
        if not 0 <= self.end_token < self.vocab_size:
            raise ValueError(
                f"end_token {self.end_token} is not an id of a {self.vocab_size}-symbol vocabulary"
            )

    def num_parameters(self) -> int:
        """Parameter count by formula: V*E + (T*E*H + H) + (L-1)*(H*H + H) + (H*V + V)."""
        v, t, e, h = self.vocab_size, self.context_length, self.embedding_size, self.hidden_size
        deeper = (self.hidden_layers - 1) * (h * h + h)
        return v * e + (t * e * h + h) + deeper + (h * v + v)


def current_name_only(idx: torch.Tensor, end_token: int) -> torch.Tensor:
    """Contexts (B, T) with every token before an end-of-name token replaced by that token.

    The n-gram walk runs over the names joined end to end, so the context of a name's first
    letters ends with the previous name, e.g. ``"ma\n"`` before the first letter. Names are
    independent, so those characters carry nothing but noise; replaced, the context reads
    ``"\n\n\n"`` whatever came before, and all the name starts share one context.
    """
    ended = (idx == end_token).flip(1).cummax(dim=1).values.flip(1)  # an end token here or later
    before_end = torch.zeros_like(ended)
    before_end[:, :-1] = ended[:, 1:]  # an end token strictly later
    return idx.masked_fill(before_end, end_token)


def linear_layer_names(config: ModelConfig) -> list[str]:
    """The linear layers, input to output, by the lesson's names: ``fc1`` first, ``fc2`` last.

    A deeper model (``hidden_layers`` L > 1) has (H, H) layers ``hidden2`` ... ``hiddenL`` in
    between.
    """
    return ["fc1", *(f"hidden{k}" for k in range(2, config.hidden_layers + 1)), "fc2"]


def initial_weights(config: ModelConfig, rng: RNG) -> dict[str, torch.Tensor]:
    """Draw the initial weights in the reference order.

    The embedding is N(0, 1); each linear layer is U(-s, s) with s = 1/sqrt(fan_in), the
    PyTorch default. Linear weights come out in nn.Linear's (out_features, in_features) layout,
    keyed ``<name>_weight`` and ``<name>_bias`` with the names of ``linear_layer_names``. Layers
    are drawn from input to output, so a deeper model's first layer starts as the lesson's does.
    """
    v, t, e, h = (
        config.vocab_size,
        config.context_length,
        config.embedding_size,
        config.hidden_size,
    )

    def uniform(shape: tuple[int, ...], scale: float) -> torch.Tensor:
        return torch.tensor(rng.rand(math.prod(shape), -scale, scale)).view(shape)

    weights = {"wte": torch.tensor(rng.randn(v * e, 0.0, 1.0)).view(v, e)}
    fan_ins = [t * e] + [h] * config.hidden_layers
    fan_outs = [h] * config.hidden_layers + [v]
    for name, fan_in, fan_out in zip(linear_layer_names(config), fan_ins, fan_outs, strict=True):
        scale = 1 / math.sqrt(fan_in)
        weights[f"{name}_weight"] = uniform((fan_out, fan_in), scale)
        weights[f"{name}_bias"] = uniform((fan_out,), scale)
    return weights


class MLPRaw:
    """The model with plain tensors: parameters are a list, forward is four lines."""

    def __init__(self, config: ModelConfig, rng: RNG) -> None:
        if config.hidden_layers != 1 or config.current_name_only or config.dropout:
            raise ValueError(
                f"MLPRaw is the lesson's model; use MLP for hidden_layers="
                f"{config.hidden_layers}, current_name_only={config.current_name_only}, "
                f"dropout={config.dropout}"
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
    With ``config.dropout`` p > 0 (notebook 05) every Tanh is followed by ``nn.Dropout(p)``: in
    training mode it zeroes a share p of the hidden outputs at random and scales the rest by
    1 / (1 - p); ``model.eval()`` switches it off, so evaluation and sampling use every unit.
    """

    def __init__(self, config: ModelConfig, rng: RNG | None = None) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.embedding_size)
        h = config.hidden_size
        fan_ins = [config.context_length * config.embedding_size] + [h] * (config.hidden_layers - 1)
        layers = []
        for fan_in in fan_ins:
            layers += [nn.Linear(fan_in, h), nn.Tanh()]
            if config.dropout:
                layers.append(nn.Dropout(config.dropout))
        self.mlp = nn.Sequential(*layers, nn.Linear(h, config.vocab_size))
        if rng is not None:
            self.load_initial_weights(rng)

    @torch.no_grad()
    def load_initial_weights(self, rng: RNG) -> None:
        """Overwrite PyTorch's random init with the reference draws from ``rng``."""
        w = initial_weights(self.config, rng)
        self.wte.weight.copy_(w["wte"])
        linears = [layer for layer in self.mlp if isinstance(layer, nn.Linear)]
        for name, linear in zip(linear_layer_names(self.config), linears, strict=True):
            linear.weight.copy_(w[f"{name}_weight"])
            linear.bias.copy_(w[f"{name}_bias"])

    def read(self, idx: torch.Tensor) -> torch.Tensor:
        """The contexts as the model sees them: ``idx``, or ``current_name_only(idx)``."""
        if self.config.current_name_only:
            return current_name_only(idx, self.config.end_token)
        return idx

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, V) for contexts ``idx`` (B, T); the mean cross-entropy if targets given."""
        emb = self.wte(self.read(idx)).flatten(1)  # (B, T*E)
        logits = self.mlp(emb)  # (B, V)
        loss = None if targets is None else F.cross_entropy(logits, targets)
        return logits, loss

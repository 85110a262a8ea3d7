"""Mixing language models, as Bengio et al. (2003) mixed their MLP with a count model (notebook 05).

A mixture of K models gives each next character the probability ``sum_k w_k P_k(c | context)``,
with weights ``w_k`` >= 0 that sum to 1, fitted on val by expectation-maximisation. The models
are scored on the examples of the lesson's evaluation (the n-gram walk of each split).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ngram_helpers.data import NamesData
from ngram_helpers.evaluate import eval_mode, evaluation_examples
from ngram_helpers.models import MLP, current_name_only
from ngram_helpers.ngrams import KneserNey


def target_probabilities(
    model: MLP | KneserNey, data: NamesData, split: str, context_length: int
) -> torch.Tensor:
    """The probability ``model`` gives each target of the split's reference evaluation.

    The examples are those ``evaluate.split_loss`` averages for the n-gram walk with
    ``context_length`` characters; a model with a shorter context reads the last characters of
    each. A Kneser-Ney model reads them with the previous name's characters hidden
    (``current_name_only``), as it was counted from padded names.
    """
    contexts, targets = evaluation_examples(data.tokens[split], context_length)
    with torch.inference_mode():
        if isinstance(model, KneserNey):
            hidden = current_name_only(contexts, data.tokenizer.end_token)
            probs = model.probs(hidden[:, context_length - (model.order - 1) :])
        else:
            recent = contexts[:, context_length - model.config.context_length :]
            with eval_mode(model):
                probs = F.softmax(model(recent)[0].double(), dim=-1)
    return probs.gather(1, targets[:, None]).squeeze(1)


def mixture_weights(probs: torch.Tensor, iterations: int = 200) -> torch.Tensor:
    """The weights (K,) of the mixture of K models that best fits the given targets.

    ``probs`` (K, N) is the probability each model gives each of N targets. Expectation-
    maximisation: each round, every target shares itself among the models in proportion to
    ``w_k * P_k``, and each weight becomes its model's average share. The mean log-likelihood of
    the mixture never decreases from one round to the next.
    """
    weights = torch.full((probs.shape[0],), 1 / probs.shape[0], dtype=probs.dtype)
    for _ in range(iterations):
        shares = weights[:, None] * probs
        weights = (shares / shares.sum(dim=0)).mean(dim=1)
    return weights


def mixture_loss(weights: torch.Tensor, probs: torch.Tensor) -> float:
    """Mean negative log-likelihood of the mixture ``sum_k w_k P_k`` over the targets."""
    return -(weights @ probs).log().mean().item()

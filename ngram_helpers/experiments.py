"""The rows of the results table of notebook 05: every model, scored the same way.

Each row is one model on one split folder, scored by the mean negative log-likelihood per
character (nats) on val and test:

- ``uniform``: every one of the V characters has probability 1/V, a loss of ln V;
- ``count-n``: the count n-gram model of ``ngram_helpers.counts`` with its best add-alpha;
- ``mlp-*``: the MLP trained by ``ngram_helpers.train.train``. The lesson's model comes first;
  each following row makes ONE change to the row it names as ``parent`` and keeps the others;
- ``kn-n``: the count n-gram model with Kneser-Ney smoothing (``ngram_helpers.kneser_ney``);
- ``mix-*``: a mixture of other rows' models, ``sum_k w_k P_k(c | context)``, with the weights
  ``w_k`` fitted on val (``mixture_weights``), as Bengio et al. (2003) mixed their MLP with an
  interpolated trigram model. Its components are trained afresh when the row runs.

``tools/results_table.py`` runs the rows and writes the CSV that notebook 05 plots; the
notebook and ``tests/test_results_table.py`` re-run cheap rows with ``run_row`` and compare.

The one change that ``ModelConfig``/``TrainConfig`` cannot express is the initialisation scale
of the output layer (``output_init_scale``): with the default init, the first logits are far
from equal, so the loss at step 0 is well above ln V; multiplying the last layer's initial
weights and bias by a small number makes the first prediction almost uniform.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

import torch
import torch.nn.functional as F

from ngram_helpers.counts import best_count_model
from ngram_helpers.data import NamesData, NgramTable
from ngram_helpers.evaluate import eval_mode, evaluation_examples, padded_loss, split_loss
from ngram_helpers.kneser_ney import KneserNey, fit_kneser_ney
from ngram_helpers.models import MLP, ModelConfig, current_name_only
from ngram_helpers.sample import name_origins, origin_shares, sample_names
from ngram_helpers.train import History, TrainConfig, build_model, train

SAMPLE_SEED = 42
NUM_SAMPLES = 200
# MLP rows train with the fast engine (notebook 04 shows it gives the plain engine's numbers);
# each row's configuration says so.
ENGINE = "fast"


@dataclass(frozen=True)
class Row:
    """One line of the results table: what is trained, and how it differs from its parent."""

    name: str
    description: str
    kind: str  # "uniform", "count", "mlp", "kneser-ney" or "mixture"
    order: int = 0  # n of a count n-gram model
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    output_init_scale: float = 1.0
    parent: str = ""
    components: tuple[str, ...] = ()  # the rows a mixture mixes

    def config(self) -> dict:
        """The settings that define the row, as plain data for the CSV's configuration column."""
        if self.kind == "uniform":
            return {}
        if self.kind in ("count", "kneser-ney"):
            return {"order": self.order}
        if self.kind == "mixture":
            return {"components": list(self.components)}
        return {
            "engine": ENGINE,
            "model": asdict(self.model),
            "train": asdict(self.train),
            "output_init_scale": self.output_init_scale,
        }


@dataclass
class RowResult:
    """What running a row measured; ``history``/``model`` only for MLP rows."""

    val_loss: float
    test_loss: float
    parameters: int
    steps: int
    cpu_seconds: float
    seed: int | None
    extra: dict = field(default_factory=dict)  # e.g. the alpha a count model chose
    history: History | None = None
    model: MLP | None = None


def variant(name: str, description: str, base: Row, **changes) -> Row:
    """A copy of the MLP row ``base`` with ``changes`` to its model/train configs or init.

    ``changes`` are field names of ``ModelConfig`` or ``TrainConfig``, or ``output_init_scale``:
    ``variant("wd", "weight decay 0.1", lesson, weight_decay=0.1)``. ``base`` is its parent.
    """
    unknown = (
        set(changes)
        - set(ModelConfig.__dataclass_fields__)
        - set(TrainConfig.__dataclass_fields__)
        - {"output_init_scale"}
    )
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)} for a results-table row")
    model_changes = {k: v for k, v in changes.items() if k in ModelConfig.__dataclass_fields__}
    train_changes = {k: v for k, v in changes.items() if k in TrainConfig.__dataclass_fields__}
    scale = changes.get("output_init_scale", base.output_init_scale)
    return Row(
        name,
        description,
        "mlp",
        model=replace(base.model, **model_changes),
        train=replace(base.train, **train_changes),
        output_init_scale=scale,
        parent=base.name,
    )


def _build_rows() -> list[Row]:
    rows = [Row("uniform", "every character equally likely: ln V", "uniform")]
    for n in range(1, 6):
        rows.append(Row(f"count-{n}", f"count {n}-gram, add-alpha chosen on val", "count", n))
    lesson = Row("mlp-lesson", "the lesson's MLP: T=3, E=48, H=512, 50k steps", "mlp")
    short = variant(
        "mlp-lesson-2k",
        "the lesson's MLP stopped after 2k steps",
        lesson,
        num_steps=2_000,
    )
    init = variant(
        "mlp-init",
        "output layer initialised x0.1: step-0 loss ~ ln V",
        lesson,
        output_init_scale=0.1,
    )
    ctx5 = variant("mlp-ctx5", "context 3 -> 5", lesson, context_length=5)
    ctx8 = variant("mlp-ctx8", "context 5 -> 8", ctx5, context_length=8)
    early5 = variant(
        "mlp-ctx5-10k",
        "context 5, 50k -> 10k steps (stop before it overfits)",
        ctx5,
        num_steps=10_000,
    )
    early8 = variant(
        "mlp-ctx8-10k",
        "context 8, 50k -> 10k steps (stop before it overfits)",
        ctx8,
        num_steps=10_000,
    )
    decay8 = variant("mlp-ctx8-wd1", "context 8, weight decay 1e-4 -> 1.0", ctx8, weight_decay=1.0)
    wide5 = variant(
        "mlp-ctx5-10k-h1024",
        "context 5, 10k steps, hidden 512 -> 1024",
        early5,
        hidden_size=1024,
    )
    narrow5 = variant(
        "mlp-ctx5-10k-e24",
        "context 5, 10k steps, embedding 48 -> 24",
        early5,
        embedding_size=24,
    )
    broad5 = variant(
        "mlp-ctx5-10k-e96",
        "context 5, 10k steps, embedding 48 -> 96",
        early5,
        embedding_size=96,
    )
    batch5 = variant(
        "mlp-ctx5-10k-b256",
        "context 5, 10k steps, batch 128 -> 256",
        early5,
        batch_size=256,
    )
    batch5x = variant(
        "mlp-ctx5-10k-b512",
        "context 5, 10k steps, batch 256 -> 512",
        batch5,
        batch_size=512,
    )
    batch8x = variant(
        "mlp-ctx8-10k-b512",
        "context 5 -> 8, 10k steps, batch 512",
        batch5x,
        context_length=8,
    )
    schedule3 = variant(
        "mlp-b256-10k",
        "context 3, batch 128 -> 256, 50k -> 10k steps",
        lesson,
        batch_size=256,
        num_steps=10_000,
    )
    fast3 = variant(
        "mlp-b256-10k-lr2e-3",
        "context 3, 10k steps, batch 256, peak lr 7e-4 -> 2e-3",
        schedule3,
        learning_rate=2e-3,
    )
    deep2 = variant(
        "mlp-deep2",
        "context 3, hidden layers 1 -> 2",
        fast3,
        hidden_layers=2,
    )
    deep3 = variant("mlp-deep3", "context 3, hidden layers 2 -> 3", deep2, hidden_layers=3)
    deep5 = variant(
        "mlp-ctx5-10k-b512-deep2",
        "context 5, 10k steps, batch 512, hidden layers 1 -> 2",
        batch5x,
        hidden_layers=2,
    )
    names3 = variant(
        "mlp-deep2-names",
        "context 3, 2 hidden layers, characters of the previous name hidden",
        deep2,
        current_name_only=True,
    )
    names5 = variant(
        "mlp-ctx5-deep2-names",
        "context 5, 10k steps, batch 512, 2 hidden layers, previous name hidden",
        deep5,
        current_name_only=True,
    )
    names3_e96 = variant(
        "mlp-deep2-names-e96",
        "context 3, 2 hidden layers, previous name hidden, embedding 48 -> 96",
        names3,
        embedding_size=96,
    )
    names3_long = variant(
        "mlp-deep2-names-20k",
        "context 3, 2 hidden layers, previous name hidden, 10k -> 20k steps",
        names3,
        num_steps=20_000,
    )
    names3_drop = variant(
        "mlp-deep2-names-20k-drop",
        "context 3, 2 hidden layers, previous name hidden, 20k steps, dropout 0 -> 0.1",
        names3_long,
        dropout=0.1,
    )
    names8 = variant(
        "mlp-ctx8-deep2-names",
        "context 5 -> 8, 10k steps, batch 512, 2 hidden layers, previous name hidden",
        names5,
        context_length=8,
    )
    names8_drop = variant(
        "mlp-ctx8-deep2-names-drop",
        "context 8, 10k steps, batch 512, 2 hidden layers, previous name hidden, dropout 0 -> 0.1",
        names8,
        dropout=0.1,
    )
    names12_drop = variant(
        "mlp-ctx12-deep2-names-drop",
        "context 8 -> 12, 10k steps, batch 512, 2 hidden layers, previous name hidden, dropout 0.1",
        names8_drop,
        context_length=12,
    )
    kneser_ney = [
        Row(f"kn-{n}", f"count {n}-gram, modified Kneser-Ney smoothing", "kneser-ney", n)
        for n in (4, 5)
    ]
    mix3 = Row(
        "mix-ctx3",
        "mixture of mlp-deep2-names and kn-4 (context 3), weights fitted on val",
        "mixture",
        components=("mlp-deep2-names", "kn-4"),
    )
    mix5 = Row(
        "mix-ctx5",
        "mixture of mlp-ctx5-deep2-names and kn-5 (context 5), weights fitted on val",
        "mixture",
        components=("mlp-ctx5-deep2-names", "kn-5"),
    )
    ensemble3 = Row(
        "mix-ctx3-4",
        "mixture of the three context-3 MLPs with the previous name hidden (mlp-deep2-names, "
        "-e96, -20k-drop) and kn-4, weights fitted on val",
        "mixture",
        components=(names3.name, names3_e96.name, names3_drop.name, "kn-4"),
    )
    mix8 = Row(
        "mix-ctx8",
        "mixture of mlp-ctx8-deep2-names-drop and kn-5, weights fitted on val",
        "mixture",
        components=(names8_drop.name, "kn-5"),
    )
    return rows + [
        short, lesson, init, ctx5, ctx8, early5, early8, decay8, wide5, narrow5, broad5, batch5,
        batch5x, batch8x, schedule3, fast3, deep2, deep3, deep5, names3, names5, names3_e96,
        names3_long, names3_drop, names8, names8_drop, names12_drop, *kneser_ney, mix3, mix5,
        ensemble3, mix8,
    ]  # fmt: skip


ROWS: list[Row] = _build_rows()


def get_row(name: str) -> Row:
    """The row called ``name``; a clear error listing the known names otherwise."""
    for row in ROWS:
        if row.name == name:
            return row
    raise KeyError(f"no results-table row {name!r}; known rows: {', '.join(r.name for r in ROWS)}")


def build_row_model(row: Row, data: NamesData) -> MLP:
    """The initialised MLP of an ``mlp`` row: the reference init, output layer scaled."""
    tokenizer = data.tokenizer
    config = replace(row.model, vocab_size=tokenizer.vocab_size, end_token=tokenizer.end_token)
    model = build_model(data, config, row.train)
    with torch.no_grad():
        model.mlp[-1].weight.mul_(row.output_init_scale)
        model.mlp[-1].bias.mul_(row.output_init_scale)
    return model


def run_row(row: Row, data: NamesData, *, progress: bool = False) -> RowResult:
    """Fit or train the row's model on ``data`` and score it on val and test."""
    start = time.process_time()
    vocab = data.tokenizer.vocab_size
    if row.kind == "uniform":
        loss = math.log(vocab)
        return RowResult(loss, loss, 0, 0, time.process_time() - start, None)
    if row.kind == "count":
        alpha, val, test = best_count_model(data, row.order)
        params = vocab**row.order  # one smoothed probability per (context, character) cell
        extra = {"alpha": alpha}
        return RowResult(val, test, params, 0, time.process_time() - start, None, extra)
    if row.kind == "kneser-ney":
        model = fit_kneser_ney(data, row.order)
        val, test = padded_loss(model, data, "val"), padded_loss(model, data, "test")
        params = vocab**row.order
        return RowResult(val, test, params, 0, time.process_time() - start, None)
    if row.kind == "mixture":
        return run_mixture(row, data)
    model = build_row_model(row, data)
    history = train(model, data, row.train, engine=ENGINE, progress=progress)
    val, test = split_loss(model, data, "val"), split_loss(model, data, "test")
    cpu = time.process_time() - start
    params = model.config.num_parameters()
    return RowResult(
        val, test, params, row.train.num_steps, cpu, row.train.init_seed, history=history,
        model=model,
    )  # fmt: skip


def target_probabilities(
    model: MLP | KneserNey, data: NamesData, split: str, context_length: int
) -> torch.Tensor:
    """The probability ``model`` gives each target of the split's reference evaluation.

    The examples are those ``split_loss`` averages for the n-gram walk with ``context_length``
    characters; a model with a shorter context reads the last characters of each. A Kneser-Ney
    model reads them with the previous name's characters hidden (``current_name_only``), as it
    was counted from padded names.
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


def run_mixture(row: Row, data: NamesData) -> RowResult:
    """Train the row's components, fit the mixture weights on val, score val and test."""
    start = time.process_time()
    components = [get_row(name) for name in row.components]
    context_length = max(
        c.model.context_length if c.kind == "mlp" else c.order - 1 for c in components
    )
    models, params, steps = [], 0, 0
    for component in components:
        if component.kind == "kneser-ney":
            models.append(fit_kneser_ney(data, component.order))
            params += data.tokenizer.vocab_size**component.order
        else:
            result = run_row(component, data)
            models.append(result.model)
            params, steps = params + result.parameters, steps + result.steps
    probs = {
        split: torch.stack([target_probabilities(m, data, split, context_length) for m in models])
        for split in ("val", "test")
    }
    weights = mixture_weights(probs["val"])
    val, test = mixture_loss(weights, probs["val"]), mixture_loss(weights, probs["test"])
    extra = {"weights": [round(w, 4) for w in weights.tolist()]}
    return RowResult(val, test, params, steps, time.process_time() - start, None, extra)


def new_name_share(names: list[str], data: NamesData) -> float:
    """The fraction of ``names`` that are not in the training split."""
    return 1.0 - origin_shares(name_origins(names, data))["train"]


def samples(model: MLP, data: NamesData, num: int = NUM_SAMPLES) -> list[str]:
    """``num`` names sampled from ``model`` with the fixed seed ``SAMPLE_SEED``."""
    return sample_names(model, data.tokenizer, num, seed=SAMPLE_SEED)


def lr_range_test(
    model: MLP, data: NamesData, lrs: list[float], batch_size: int = 128, weight_decay: float = 1e-4
) -> list[float]:
    """The learning-rate finder: one AdamW step per learning rate in ``lrs``, in order.

    Returns the training-batch loss measured just before each step. The learning rate grows
    from step to step, so the loss first falls slowly (steps too small), then fast, and finally
    rises (steps too large). The sweep stops early once the loss exceeds 4 times its lowest
    value: past that point the model is wrecked and the numbers say nothing more. ``model`` is
    trained in place.
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

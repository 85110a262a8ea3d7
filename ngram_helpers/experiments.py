"""The rows of the results table of notebook 05: every model, scored the same way.

Each row is one model on one split folder, scored by the mean negative log-likelihood per
character (nats) on val and test, every row on the examples of the lesson's evaluation: the
n-gram walk of each split (``evaluate.split_loss``) for the context the row reads. A count model,
counted on padded names, reads each walk context with the previous name's characters hidden
(``walk_examples``), so it is scored on the same targets as the MLPs:

- ``uniform``: every one of the V characters has probability 1/V, a loss of ln V;
- ``count-n``: the count n-gram model of ``ngram_helpers.ngrams`` with its best add-alpha (chosen
  on the val walk);
- ``mlp-*``: the MLP trained by ``ngram_helpers.train.train``. The lesson's model comes first;
  every other MLP row is its ``parent`` row with the ``changes`` it lists, and its description
  is written from those changes, so it cannot drift from what the row runs;
- ``kn-n``: the count n-gram model with Kneser-Ney smoothing (``ngram_helpers.ngrams``);
- ``mix-*``: a mixture of other rows' models (``ngram_helpers.mixture``), with the weights
  fitted on val, as Bengio et al. (2003) mixed their MLP with an interpolated trigram model. Its
  components are trained afresh when the row runs.

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

from ngram_helpers.data import NamesData
from ngram_helpers.evaluate import evaluation_examples, split_loss
from ngram_helpers.language import say
from ngram_helpers.mixture import mixture_loss, mixture_weights, target_probabilities
from ngram_helpers.models import MLP, ModelConfig, current_name_only
from ngram_helpers.ngrams import DEFAULT_ALPHAS, fit_counts, fit_kneser_ney
from ngram_helpers.sample import name_origins, origin_shares, sample_names
from ngram_helpers.train import History, TrainConfig, build_model, train

SAMPLE_SEED = 42
NUM_SAMPLES = 200
# MLP rows train with the fast engine (notebook 04 shows it gives the plain engine's numbers);
# each row's configuration says so.
ENGINE = "fast"
# How a change to each setting reads in a row's description, in English and in Chinese.
LABELS = {
    "context_length": ("context", "上下文"),
    "embedding_size": ("embedding", "嵌入维度"),
    "hidden_size": ("hidden", "隐藏单元"),
    "hidden_layers": ("hidden layers", "隐藏层数"),
    "dropout": ("dropout", "dropout"),
    "batch_size": ("batch", "批大小"),
    "learning_rate": ("peak lr", "峰值学习率"),
    "weight_decay": ("weight decay", "权重衰减"),
    "num_steps": ("steps", "步数"),
    "output_init_scale": ("output layer init scale", "输出层初始化缩放"),
}


@dataclass(frozen=True)
class Row:
    """One line of the results table: what is trained, and how it differs from its parent."""

    name: str
    kind: str  # "uniform", "count", "mlp", "kneser-ney" or "mixture"
    order: int = 0  # n of a count n-gram model
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    output_init_scale: float = 1.0
    parent: Row | None = None
    changes: tuple[tuple[str, object], ...] = ()  # (setting, new value), against the parent
    components: tuple[str, ...] = ()  # the rows a mixture mixes
    component_seed: int | None = None  # a mixture's MLPs trained from this seed, not their own

    @property
    def description(self) -> str:
        """What the row is, in words: for an MLP variant, its parent and the changes; a mixture's
        ends with where its weights came from."""
        if self.kind == "mixture":
            return self.short_description + say(", weights fitted on val", "，权重在验证集上拟合")
        return self.short_description

    @property
    def short_description(self) -> str:
        """The description without how a mixture's weights were fitted (notebook 05's table)."""
        if self.kind == "uniform":
            return say("every character equally likely: ln V", "每个字符等可能：ln V")
        if self.kind == "count":
            return say(
                f"count {self.order}-gram, add-alpha chosen on val",
                f"{self.order}-gram 计数模型，add-alpha 在验证集上选定",
            )
        if self.kind == "kneser-ney":
            return say(
                f"count {self.order}-gram, modified Kneser-Ney smoothing",
                f"{self.order}-gram 计数模型，修正的 Kneser-Ney 平滑",
            )
        if self.kind == "mixture":
            return say(
                f"mixture of {', '.join(self.components)}",
                f"{'、'.join(self.components)} 的混合",
            )
        if self.parent is None:
            m, t = self.model, self.train
            steps = setting_text(t.num_steps)
            return say(
                f"the lesson's MLP: T={m.context_length}, E={m.embedding_size}, "
                f"H={m.hidden_size}, {steps} steps",
                f"课程的 MLP：T={m.context_length}，E={m.embedding_size}，"
                f"H={m.hidden_size}，{steps} 步",
            )
        changes = say(", ", "，").join(
            describe_change(self.parent, key, value) for key, value in self.changes
        )
        return say(f"{self.parent.name}, {changes}", f"{self.parent.name}，{changes}")

    def setting(self, key: str) -> object:
        """One setting of the row: a ModelConfig or TrainConfig field, or the init scale."""
        if key == "output_init_scale":
            return self.output_init_scale
        return getattr(self.model if key in ModelConfig.__dataclass_fields__ else self.train, key)

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


def setting_text(value: object) -> str:
    """A setting's value as a description writes it: 10k, 7e-4, 0.1, 1024."""
    if isinstance(value, int) and value >= 1000 and value % 1000 == 0:
        return f"{value // 1000}k"
    if isinstance(value, float) and 0 < value < 0.01:
        return f"{value:.0e}".replace("e-0", "e-")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_change(parent: Row, key: str, value: object) -> str:
    """One change in words: "context 3 -> 5", "previous name hidden"."""
    if key == "current_name_only":
        if value:
            return say("previous name's characters hidden", "遮住前一个名字的字符")
        return say("previous name's characters seen", "看得见前一个名字的字符")
    english, chinese = LABELS[key]
    change = f"{setting_text(parent.setting(key))} -> {setting_text(value)}"
    return say(f"{english} {change}", f"{chinese} {change}")


def variant(name: str, parent: Row, **changes) -> Row:
    """The MLP row ``parent`` with ``changes`` to its model/train configs or init.

    ``changes`` are field names of ``ModelConfig`` or ``TrainConfig``, or ``output_init_scale``:
    ``variant("wd", lesson, weight_decay=0.1)``.
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
    return Row(
        name,
        "mlp",
        model=replace(parent.model, **model_changes),
        train=replace(parent.train, **train_changes),
        output_init_scale=changes.get("output_init_scale", parent.output_init_scale),
        parent=parent,
        changes=tuple(changes.items()),
    )


# -----------------------------------------------------------------------------
# The table: every row, in the order of the table. An MLP row is (name, parent, changes).

VARIANTS = [
    ("mlp-lesson-2k", "mlp-lesson", {"num_steps": 2_000}),
    ("mlp-init", "mlp-lesson", {"output_init_scale": 0.1}),
    ("mlp-ctx5", "mlp-lesson", {"context_length": 5}),
    ("mlp-ctx8", "mlp-ctx5", {"context_length": 8}),
    ("mlp-ctx5-10k", "mlp-ctx5", {"num_steps": 10_000}),
    ("mlp-ctx8-10k", "mlp-ctx8", {"num_steps": 10_000}),
    ("mlp-ctx8-wd1", "mlp-ctx8", {"weight_decay": 1.0}),
    ("mlp-ctx5-10k-h1024", "mlp-ctx5-10k", {"hidden_size": 1024}),
    ("mlp-ctx5-10k-e24", "mlp-ctx5-10k", {"embedding_size": 24}),
    ("mlp-ctx5-10k-e96", "mlp-ctx5-10k", {"embedding_size": 96}),
    ("mlp-ctx5-10k-b256", "mlp-ctx5-10k", {"batch_size": 256}),
    ("mlp-ctx5-10k-b512", "mlp-ctx5-10k-b256", {"batch_size": 512}),
    ("mlp-ctx8-10k-b512", "mlp-ctx5-10k-b512", {"context_length": 8}),
    ("mlp-b256-10k", "mlp-lesson", {"batch_size": 256, "num_steps": 10_000}),
    ("mlp-b256-10k-lr2e-3", "mlp-b256-10k", {"learning_rate": 2e-3}),
    ("mlp-deep2", "mlp-b256-10k-lr2e-3", {"hidden_layers": 2}),
    ("mlp-deep3", "mlp-deep2", {"hidden_layers": 3}),
    ("mlp-ctx5-10k-b512-deep2", "mlp-ctx5-10k-b512", {"hidden_layers": 2}),
    ("mlp-deep2-names", "mlp-deep2", {"current_name_only": True}),
    ("mlp-ctx5-deep2-names", "mlp-ctx5-10k-b512-deep2", {"current_name_only": True}),
    ("mlp-deep2-names-e96", "mlp-deep2-names", {"embedding_size": 96}),
    ("mlp-deep2-names-20k", "mlp-deep2-names", {"num_steps": 20_000}),
    ("mlp-deep2-names-20k-drop", "mlp-deep2-names-20k", {"dropout": 0.1}),
    ("mlp-ctx8-deep2-names", "mlp-ctx5-deep2-names", {"context_length": 8}),
    ("mlp-ctx8-deep2-names-drop", "mlp-ctx8-deep2-names", {"dropout": 0.1}),
    ("mlp-ctx12-deep2-names-drop", "mlp-ctx8-deep2-names-drop", {"context_length": 12}),
]
MIXTURES = [
    ("mix-ctx3", ("mlp-deep2-names", "kn-4")),
    ("mix-ctx5", ("mlp-ctx5-deep2-names", "kn-5")),
    ("mix-ctx3-4", ("mlp-deep2-names", "mlp-deep2-names-e96", "mlp-deep2-names-20k-drop", "kn-4")),
    ("mix-ctx8", ("mlp-ctx8-deep2-names-drop", "kn-5")),
]


def with_seed(row: Row, seed: int) -> Row:
    """``row`` trained from another initial seed: one more sample of its spread (05).

    An MLP row is initialised from ``seed``; a mixture trains each of its MLPs from ``seed``
    (its count models have no random start).
    """
    if row.kind == "mlp":
        return replace(row, train=replace(row.train, init_seed=seed))
    if row.kind == "mixture":
        return replace(row, component_seed=seed)
    raise ValueError(
        f"row {row.name!r} is a {row.kind} model: only MLP rows and mixtures have a seed"
    )


def table_rows() -> list[Row]:
    """Every row of the table: the baselines, the lesson's MLP, its variants, then the rest."""
    rows = {"uniform": Row("uniform", "uniform")}
    rows |= {f"count-{n}": Row(f"count-{n}", "count", order=n) for n in range(1, 6)}
    rows["mlp-lesson"] = Row("mlp-lesson", "mlp")
    for name, parent, changes in VARIANTS:
        rows[name] = variant(name, rows[parent], **changes)
    rows |= {f"kn-{n}": Row(f"kn-{n}", "kneser-ney", order=n) for n in (4, 5)}
    for name, components in MIXTURES:
        missing = [c for c in components if c not in rows]
        if missing:
            raise ValueError(f"mixture {name} mixes rows that do not exist: {missing}")
        rows[name] = Row(name, "mixture", components=components)
    return list(rows.values())


ROWS: list[Row] = table_rows()


def get_row(name: str) -> Row:
    """The row called ``name``; a clear error listing the known names otherwise."""
    for row in ROWS:
        if row.name == name:
            return row
    raise KeyError(f"no results-table row {name!r}; known rows: {', '.join(r.name for r in ROWS)}")


# -----------------------------------------------------------------------------
# Running a row


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


def build_row_model(row: Row, data: NamesData) -> MLP:
    """The initialised MLP of an ``mlp`` row: the reference init, output layer scaled."""
    tokenizer = data.tokenizer
    config = replace(row.model, vocab_size=tokenizer.vocab_size, end_token=tokenizer.end_token)
    model = build_model(data, config, row.train)
    with torch.no_grad():
        model.mlp[-1].weight.mul_(row.output_init_scale)
        model.mlp[-1].bias.mul_(row.output_init_scale)
    return model


def walk_examples(data: NamesData, split: str, order: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The walk's examples as a count model of ``order`` reads them: (contexts, targets).

    The examples are those ``split_loss`` averages for an MLP reading ``order - 1`` characters
    (at least 1: the walk needs a context); the contexts keep their last ``order - 1``
    characters, with the previous name's hidden by end tokens (``current_name_only``), as the
    padded names the model was counted from.
    """
    contexts, targets = evaluation_examples(data.tokens[split], max(order - 1, 1))
    hidden = current_name_only(contexts, data.tokenizer.end_token)
    return hidden[:, hidden.shape[1] - (order - 1) :], targets


def count_walk_losses(data: NamesData, order: int) -> tuple[float, float, float]:
    """The add-alpha count model of ``order`` on the walk: alpha chosen on val, val and test."""
    model = fit_counts(data, order)
    val, test = walk_examples(data, "val", order), walk_examples(data, "test", order)
    val_losses = {alpha: model.loss(*val, alpha) for alpha in DEFAULT_ALPHAS}
    alpha = min(val_losses, key=val_losses.get)
    return alpha, val_losses[alpha], model.loss(*test, alpha)


def run_row(row: Row, data: NamesData, *, progress: bool = False) -> RowResult:
    """Fit or train the row's model on ``data`` and score it on val and test."""
    start = time.process_time()
    vocab = data.tokenizer.vocab_size
    if row.kind == "uniform":
        loss = math.log(vocab)
        return RowResult(loss, loss, parameters=0, steps=0, cpu_seconds=0.0, seed=None)
    if row.kind == "count":
        alpha, val, test = count_walk_losses(data, row.order)
        return RowResult(
            val, test, parameters=vocab**row.order, steps=0,  # one probability per cell
            cpu_seconds=time.process_time() - start, seed=None, extra={"alpha": alpha},
        )  # fmt: skip
    if row.kind == "kneser-ney":
        model = fit_kneser_ney(data, row.order)
        val, test = (model.loss(*walk_examples(data, s, row.order)) for s in ("val", "test"))
        return RowResult(
            val, test, parameters=vocab**row.order, steps=0,
            cpu_seconds=time.process_time() - start, seed=None,
        )  # fmt: skip
    if row.kind == "mixture":
        return run_mixture(row, data)
    model = build_row_model(row, data)
    history = train(model, data, row.train, engine=ENGINE, progress=progress)
    val, test = split_loss(model, data, "val"), split_loss(model, data, "test")
    return RowResult(
        val, test, parameters=model.config.num_parameters(), steps=row.train.num_steps,
        cpu_seconds=time.process_time() - start, seed=row.train.init_seed, history=history,
        model=model,
    )  # fmt: skip


def run_mixture(row: Row, data: NamesData) -> RowResult:
    """Train the row's components, fit the mixture weights on val, score val and test."""
    start = time.process_time()
    components = [get_row(name) for name in row.components]
    if row.component_seed is not None:
        components = [
            with_seed(c, row.component_seed) if c.kind == "mlp" else c for c in components
        ]
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
    seeds = {c.train.init_seed for c in components if c.kind == "mlp"}  # the MLPs' common seed
    return RowResult(
        val, test, parameters=params, steps=steps, cpu_seconds=time.process_time() - start,
        seed=seeds.pop() if len(seeds) == 1 else None,
        extra={"weights": [round(w, 4) for w in weights.tolist()]},
    )  # fmt: skip


def new_name_share(names: list[str], data: NamesData) -> float:
    """The fraction of ``names`` that are not in the training split."""
    return 1.0 - origin_shares(name_origins(names, data))["train"]


def samples(model: MLP, data: NamesData, num: int = NUM_SAMPLES) -> list[str]:
    """``num`` names sampled from ``model`` with the fixed seed ``SAMPLE_SEED``."""
    return sample_names(model, data.tokenizer, num, seed=SAMPLE_SEED)

"""Saving and loading a trained model (introduced in notebook 04).

One file holds everything needed to use the model again: the weights, both configurations, the
vocabulary, a fingerprint of the data it was trained on, and the evaluation history. A run that
was stopped before its last step is saved the same way, marked with the step it stopped at
(``interrupted_at_step``).

- Writes are atomic: the file is written under a temporary name in the same folder and given
  its name only when complete, so an interrupted save never leaves half a checkpoint.
- An existing file is never replaced unless ``overwrite=True``; the refusal is atomic, so of two
  runs saving to one name at once, one is refused (``CheckpointExistsError``) and nothing is
  replaced.
- A write the file system refuses (a read-only folder, a full disk) raises
  ``CheckpointWriteError``; ``check_writable`` asks the same question before a long run.
- Loading uses ``torch.load(..., weights_only=True)``: only tensors and plain Python values are
  read, never pickled code. Every field is checked before it is used, so a damaged file is one
  ``CheckpointError`` naming the field, never a ``KeyError`` or ``TypeError``.
- A checkpoint that does not match what the caller expects (vocabulary, model shapes, data) is
  refused with a message that says what differs.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch

from ngram_helpers.data import END, NamesData, Tokenizer
from ngram_helpers.files import atomic_write, check_writable_folder
from ngram_helpers.language import say
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.train import History, TrainConfig

# where notebook 04 and the command line keep the lesson's trained model (relative to the project)
DEFAULT_CHECKPOINT = "checkpoints/names-mlp.pt"
# /2: dropout and the end-of-name id moved into ModelConfig (checkpoints of /1 are refused)
FORMAT = "ngram_helpers.mlp/2"
# the ModelConfig sizes a model cannot be built without (at least 1 each)
MODEL_SIZES = ("vocab_size", "context_length", "embedding_size", "hidden_size", "hidden_layers")


class CheckpointError(ValueError):
    """A checkpoint cannot be written, read, or does not match the request."""


class CheckpointExistsError(CheckpointError):
    """The checkpoint's name is taken, and replacing it was not asked for."""


class CheckpointWriteError(CheckpointError):
    """The file system refused to write the checkpoint (a read-only folder, a full disk...)."""


@dataclass
class Checkpoint:
    """A loaded checkpoint: a ready model and what it was trained with.

    ``interrupted_at_step`` is None for a run that finished, else the step it was stopped at.
    """

    model: MLP
    model_config: ModelConfig
    train_config: TrainConfig
    tokenizer: Tokenizer
    history: History
    data_fingerprint: str
    interrupted_at_step: int | None = None


# -----------------------------------------------------------------------------
# Saving


def checkpoint_bytes(
    model: MLP,
    data: NamesData,
    train_config: TrainConfig,
    history: History,
    *,
    interrupted_at_step: int | None = None,
) -> bytes:
    """The checkpoint file's content: ``model`` and its context, serialised with ``torch.save``."""
    payload = {
        "format": FORMAT,
        "model_config": asdict(model.config),
        "train_config": asdict(train_config),
        "vocabulary": data.tokenizer.chars,
        "data_fingerprint": data.fingerprint(),
        "history": history.to_dict(),
        "interrupted_at_step": interrupted_at_step,
        # copies on the CPU: a model trained on a GPU loads on any machine
        "state_dict": {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()},
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def save_checkpoint(
    path: str | Path,
    model: MLP,
    data: NamesData,
    train_config: TrainConfig,
    history: History,
    *,
    overwrite: bool = False,
    interrupted_at_step: int | None = None,
) -> Path:
    """Write ``model`` and its context to ``path`` atomically; refuse to replace a file unasked.

    Raises ``CheckpointExistsError`` if ``path`` exists (unless ``overwrite``), also when another
    program creates it while this one writes, and ``CheckpointWriteError`` if the file system
    refuses the write; either way no file is left half written. ``interrupted_at_step`` marks a
    run stopped before its last step.
    """
    content = checkpoint_bytes(
        model, data, train_config, history, interrupted_at_step=interrupted_at_step
    )
    return write_checkpoint(path, content, overwrite=overwrite)


def write_checkpoint(path: str | Path, content: bytes, *, overwrite: bool = False) -> Path:
    """Write ``content`` (from ``checkpoint_bytes``) to ``path`` as ``save_checkpoint`` does."""
    path = Path(path)
    try:
        with atomic_write(path, "wb", overwrite=overwrite) as f:
            f.write(content)
    except FileExistsError:
        raise CheckpointExistsError(
            say(
                f"{path} already exists; pass overwrite=True to replace it",
                f"{path} 已经存在；要替换它，请传入 overwrite=True",
            )
        ) from None
    except OSError as err:
        raise CheckpointWriteError(
            say(
                f"{path}: cannot write the checkpoint ({reason(err)})",
                f"{path}：无法写入检查点（{reason(err)}）",
            )
        ) from None
    return path


def check_writable(path: str | Path) -> None:
    """Raise ``CheckpointError`` unless a checkpoint could be written to ``path`` now.

    The folder is created if needed and a file is created in it and removed. Run before a long
    training run, it turns a read-only or missing folder into a message before the work, not
    after. (A disk can still fill up meanwhile: ``save_checkpoint`` says so then.)
    """
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(
            say(
                f"{path} is a folder; name the checkpoint file inside it",
                f"{path} 是一个文件夹；请写出其中检查点文件的名字",
            )
        )
    in_the_way = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise CheckpointWriteError(
            say(
                f"{path}: {in_the_way} is a file, not a folder",
                f"{path}：{in_the_way} 是一个文件，不是文件夹",
            )
        )
    try:
        check_writable_folder(path.parent)
    except OSError as err:
        raise CheckpointWriteError(
            say(
                f"{path}: cannot write in the folder {path.parent} ({reason(err)})",
                f"{path}：无法在文件夹 {path.parent} 里写入（{reason(err)}）",
            )
        ) from None


def reason(err: OSError) -> str:
    """The system's short reason for ``err`` ("Permission denied"), without the path."""
    return err.strerror or str(err) or type(err).__name__


# -----------------------------------------------------------------------------
# Loading


def load_checkpoint(
    path: str | Path,
    *,
    expect_vocabulary: str | None = None,
    expect_model_config: ModelConfig | None = None,
    expect_data_fingerprint: str | None = None,
) -> Checkpoint:
    """Read a checkpoint written by ``save_checkpoint`` and rebuild its model.

    Each ``expect_*`` argument given is compared with the checkpoint; a mismatch raises
    ``CheckpointError`` naming the field and both values. A missing or malformed field raises
    ``CheckpointError`` naming it.
    """
    path = Path(path)
    payload = _read_payload(path)
    fields_of = _Fields(path, payload)
    model_config = fields_of.model_config()
    train_config = fields_of.config("train_config", TrainConfig)
    vocabulary = fields_of.vocabulary(model_config)
    fingerprint = fields_of.typed("data_fingerprint", fields_of.get("data_fingerprint"), str)
    history = fields_of.history()
    interrupted_at_step = fields_of.interrupted_at_step()
    state_dict = fields_of.state_dict()

    if expect_vocabulary is not None and vocabulary != expect_vocabulary:
        raise CheckpointError(
            say(
                f"{path}: vocabulary differs: checkpoint has {_show(vocabulary)}, expected "
                f"{_show(expect_vocabulary)}",
                f"{path}：字符表不同：检查点里是 {_show(vocabulary)}，应为 "
                f"{_show(expect_vocabulary)}",
            )
        )
    if expect_model_config is not None and model_config != expect_model_config:
        differences = ", ".join(
            say(f"{name} {have} (expected {want})", f"{name} 为 {have}（应为 {want}）")
            for (name, have), want in zip(
                asdict(model_config).items(), asdict(expect_model_config).values(), strict=True
            )
            if have != want
        )
        raise CheckpointError(
            say(
                f"{path}: model configuration differs: {differences}",
                f"{path}：模型配置不同：{differences}",
            )
        )
    if expect_data_fingerprint is not None and fingerprint != expect_data_fingerprint:
        raise CheckpointError(
            say(
                f"{path}: trained on different data (dataset fingerprint differs)",
                f"{path}：训练用的是另一份数据（数据集指纹不同）",
            )
        )

    return Checkpoint(
        model=_model_from(path, model_config, state_dict),
        model_config=model_config,
        train_config=train_config,
        tokenizer=Tokenizer(vocabulary),
        history=history,
        data_fingerprint=fingerprint,
        interrupted_at_step=interrupted_at_step,
    )


def _read_payload(path: Path) -> dict:
    """The dictionary a checkpoint file holds, once its format tag is this version's."""
    if not path.is_file():
        raise CheckpointError(say(f"{path}: checkpoint not found", f"{path}：找不到检查点"))
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # weights_only refused something that is not plain data
        raise CheckpointError(
            say(
                f"{path}: not a readable checkpoint (it holds Python objects other than tensors "
                "and plain values, and those are never loaded)",
                f"{path}：不是可读取的检查点（其中含有张量和普通数值以外的 Python 对象，"
                "这类对象一律不会加载）",
            )
        ) from None
    except Exception:  # torch raises many types, with long messages, for a damaged file
        raise CheckpointError(
            say(
                f"{path}: not a readable checkpoint (damaged, cut short, or not a PyTorch file)",
                f"{path}：不是可读取的检查点（文件已损坏、不完整，或者不是 PyTorch 文件）",
            )
        ) from None
    found = payload.get("format") if isinstance(payload, dict) else None
    if isinstance(found, str) and found.startswith("ngram_helpers.mlp/") and found != FORMAT:
        raise CheckpointError(
            say(
                f"{path}: written by another version of ngram_helpers (format {found}, this "
                f"version reads {FORMAT}); train the model again",
                f"{path}：由另一个版本的 ngram_helpers 写成（格式 {found}，当前版本读取的是 "
                f"{FORMAT}）；请重新训练模型",
            )
        )
    if found != FORMAT:
        raise CheckpointError(
            say(
                f"{path}: not an ngram_helpers checkpoint (format {FORMAT})",
                f"{path}：不是 ngram_helpers 的检查点（格式 {FORMAT}）",
            )
        )
    return payload


def _model_from(path: Path, config: ModelConfig, state_dict: dict[str, torch.Tensor]) -> MLP:
    """An ``MLP`` of ``config`` holding the weights ``state_dict``, in evaluation mode.

    The shapes are compared on a model without memory (the "meta" device) first, so a damaged
    size never allocates a huge model before it is refused.
    """
    tensors_needed = 2 * (config.hidden_layers + 1) + 1  # the embedding, and 2 per linear layer
    if config.hidden_layers > len(state_dict):  # far too deep to fit: never built, even empty
        raise CheckpointError(
            say(
                f"{path}: weights do not fit its configuration: {len(state_dict)} tensors, "
                f"hidden_layers {config.hidden_layers} needs {tensors_needed}",
                f"{path}：权重与它的配置不符：有 {len(state_dict)} 个张量，hidden_layers 为 "
                f"{config.hidden_layers} 时需要 {tensors_needed} 个",
            )
        )
    with torch.device("meta"):
        expected = {name: tuple(t.shape) for name, t in MLP(config).state_dict().items()}
    found = {name: tuple(t.shape) for name, t in state_dict.items()}
    problem = _weights_problem(found, expected)
    if problem:
        raise CheckpointError(
            say(
                f"{path}: weights do not fit its configuration: {problem}",
                f"{path}：权重与它的配置不符：{problem}",
            )
        )
    model = MLP(config)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as err:
        first_line = str(err).strip().splitlines()[0]
        raise CheckpointError(
            say(
                f"{path}: weights do not fit its configuration: {first_line}",
                f"{path}：权重与它的配置不符：{first_line}",
            )
        ) from None
    return model.eval()


def _weights_problem(found: dict[str, tuple], expected: dict[str, tuple]) -> str | None:
    """What is wrong with weights of shapes ``found`` for a model of shapes ``expected``."""
    missing = [name for name in expected if name not in found]
    if missing:
        return say(f"{', '.join(missing)} missing", f"缺少 {', '.join(missing)}")
    unexpected = [name for name in found if name not in expected]
    if unexpected:
        return say(f"unexpected {', '.join(unexpected)}", f"多出了 {', '.join(unexpected)}")
    for name, shape in expected.items():
        if found[name] != shape:
            return say(
                f"{name} has shape {found[name]}, the configuration needs {shape}",
                f"{name} 的形状是 {found[name]}，配置需要的是 {shape}",
            )
    return None


class _Fields:
    """The fields of a checkpoint's payload, each checked before use.

    Every method returns one field as the rest of the code expects it, or raises
    ``CheckpointError`` naming the field and what is wrong with it.
    """

    def __init__(self, path: Path, payload: dict) -> None:
        self.path, self.payload = path, payload

    def damaged(self, field: str, problem: str) -> CheckpointError:
        return CheckpointError(
            say(
                f"{self.path}: damaged checkpoint: {field} {problem}",
                f"{self.path}：检查点已损坏：{field} {problem}",
            )
        )

    def get(self, field: str) -> Any:
        if field not in self.payload:
            raise self.damaged(field, say("is missing", "缺失"))
        return self.payload[field]

    def typed(self, field: str, value: Any, kind: type) -> Any:
        """``value`` (the content of ``field``), refused unless it is of type ``kind``."""
        if not isinstance(value, kind):
            raise self.damaged(
                field,
                say(
                    f"is {_kind(value)}, not {kind.__name__}",
                    f"是 {_kind(value)}，不是 {kind.__name__}",
                ),
            )
        return value

    def entries(self, field: str, cls: type) -> dict:
        """The dict in ``field``, refused unless its keys are exactly the fields of ``cls``."""
        stored = self.typed(field, self.get(field), dict)
        names = [f.name for f in fields(cls)]
        unknown = [key for key in stored if key not in names]
        if unknown:
            raise self.damaged(
                f"{field}.{unknown[0]}",
                say(f"is not a field of {cls.__name__}", f"不是 {cls.__name__} 的字段"),
            )
        missing = [name for name in names if name not in stored]
        if missing:
            raise self.damaged(f"{field}.{missing[0]}", say("is missing", "缺失"))
        return stored

    def config(self, field: str, cls: type) -> Any:
        """The configuration ``cls`` (a dataclass) stored as a dict in ``field``."""
        stored = self.entries(field, cls)
        values = {
            f.name: self.scalar(f"{field}.{f.name}", stored[f.name], f.default) for f in fields(cls)
        }
        try:
            return cls(**values)
        except ValueError as err:
            raise self.damaged(field, say(f"is invalid ({err})", f"无效（{err}）")) from None

    def scalar(self, field: str, value: Any, like: Any) -> Any:
        """``value`` if it has the type of the default ``like`` (an int also counts as a float)."""
        if isinstance(like, bool):
            ok = isinstance(value, bool)
        elif isinstance(like, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(like, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            value = float(value) if ok else value
        else:
            ok = isinstance(value, type(like))
        if not ok:
            raise self.damaged(
                field,
                say(
                    f"is {_kind(value)}, not {type(like).__name__}",
                    f"是 {_kind(value)}，不是 {type(like).__name__}",
                ),
            )
        return value

    def model_config(self) -> ModelConfig:
        config = self.config("model_config", ModelConfig)
        for size in MODEL_SIZES:
            if getattr(config, size) < 1:
                value = getattr(config, size)
                raise self.damaged(
                    f"model_config.{size}", say(f"is {value}, not >= 1", f"是 {value}，不是 >= 1")
                )
        return config

    def vocabulary(self, config: ModelConfig) -> str:
        """The vocabulary: distinct characters, as many as the model has, the end token in place."""
        chars = self.typed("vocabulary", self.get("vocabulary"), str)
        if len(set(chars)) != len(chars):
            raise self.damaged(
                "vocabulary",
                say(f"repeats characters: {_show(chars)}", f"有重复的字符：{_show(chars)}"),
            )
        if len(chars) != config.vocab_size:
            raise self.damaged(
                "vocabulary",
                say(
                    f"has {len(chars)} characters, model_config.vocab_size is {config.vocab_size}",
                    f"有 {len(chars)} 个字符，而 model_config.vocab_size 是 {config.vocab_size}",
                ),
            )
        if END not in chars:
            raise self.damaged(
                "vocabulary",
                say("has no end-of-name character '\\n'", "没有表示名字结束的字符 '\\n'"),
            )
        if chars.index(END) != config.end_token:
            raise self.damaged(
                "vocabulary",
                say(
                    f"has '\\n' at {chars.index(END)}, model_config.end_token is "
                    f"{config.end_token}",
                    f"'\\n' 在位置 {chars.index(END)}，而 model_config.end_token 是 "
                    f"{config.end_token}",
                ),
            )
        return chars

    def history(self) -> History:
        """Four lists of equal length: steps (ints), train and val losses and rates (numbers)."""
        stored = self.entries("history", History)
        lists = {}
        for name, values in stored.items():
            field = f"history.{name}"
            self.typed(field, values, list)
            like = 0 if name == "step" else 0.0
            lists[name] = [self.scalar(f"{field}[{i}]", v, like) for i, v in enumerate(values)]
        lengths = {len(values) for values in lists.values()}
        if len(lengths) > 1:
            sizes = ", ".join(f"{name} {len(values)}" for name, values in lists.items())
            raise self.damaged(
                "history",
                say(f"has lists of different lengths ({sizes})", f"各列表长度不同（{sizes}）"),
            )
        return History(**lists)

    def interrupted_at_step(self) -> int | None:
        """The step an interrupted run stopped at; None (or absent, as before) for a full run."""
        step = self.payload.get("interrupted_at_step")
        if step is None:
            return None
        step = self.scalar("interrupted_at_step", step, 0)
        if step < 0:
            raise self.damaged(
                "interrupted_at_step", say(f"is {step}, not >= 0", f"是 {step}，不是 >= 0")
            )
        return step

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The weights: names mapped to floating-point tensors (``_model_from`` checks shapes)."""
        weights = self.typed("state_dict", self.get("state_dict"), dict)
        for name, tensor in weights.items():
            field = f"state_dict[{name!r}]"
            if not isinstance(name, str):
                raise self.damaged(
                    field,
                    say(
                        f"has {_kind(name)} as its name, not a string",
                        f"的名字是 {_kind(name)}，不是字符串",
                    ),
                )
            if not isinstance(tensor, torch.Tensor):
                raise self.damaged(
                    field, say(f"is {_kind(tensor)}, not a tensor", f"是 {_kind(tensor)}，不是张量")
                )
            if not tensor.is_floating_point():
                raise self.damaged(
                    field,
                    say(
                        f"holds {tensor.dtype}, not floating-point numbers",
                        f"存的是 {tensor.dtype}，不是浮点数",
                    ),
                )
        return weights


def _kind(value: Any) -> str:
    """'a list', 'an int', 'None': how a message names the type of ``value``."""
    if value is None:
        return "None"
    name = type(value).__name__
    article = "an " if name[0] in "aeiou" else "a "
    return f"{say(article, '')}{name}"  # Chinese has no article


def _show(vocabulary: str) -> str:
    return repr(vocabulary.replace("\n", "\\n"))

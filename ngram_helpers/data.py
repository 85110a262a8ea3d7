"""Names data: reading a split folder, the character tokenizer, and the n-gram walk.

Introduced in notebook 02. A split folder holds ``train.txt``, ``val.txt`` and ``test.txt`` with one
lowercase name per line. The model reads characters; the newline that ends each name is a token of
its own (the end-of-name token), so the model also learns when a name stops.

The walk over the token stream follows the reference program exactly (see ``ngram_windows``),
because the tests compare our training run against its printed log.

A learner may bring a much larger file than the project's (hundreds of MB): checking, encoding and
tabulating the text are each a pass in C (``str.translate``, a tensor view),
never a Python loop over the characters, so the set-up stays a few seconds and a few bytes per
character (``benchmarks/data_scale.py`` measures it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ngram_helpers.language import say

END = "\n"
END_GLYPH = "."  # how figures and printouts show the end token: "..e" starts a name with e
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
SPLITS = ("train", "val", "test")
ALLOWED = dict.fromkeys(map(ord, ALPHABET + END))  # for str.translate: these characters deleted


def shown(text: str) -> str:
    """``text`` with every end-of-name token written as ``END_GLYPH``, for figures and printouts."""
    return text.replace(END, END_GLYPH)


class DatasetError(ValueError):
    """A split file is missing, empty or holds a character the tokenizer cannot represent."""


def read_names_file(path: str | Path) -> str:
    """Read one split file and return its text with ``\\n`` line endings and a final newline.

    Raises ``DatasetError`` naming the file (and the line and character, when a character is
    wrong) for a missing file, an empty file, an empty line, or a character outside a-z.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise DatasetError(f"{path}: file is empty")
    if not text.endswith(END):
        text += END
    well_formed = not text.translate(ALLOWED) and not text.startswith(END) and END * 2 not in text
    if well_formed:  # passes in C; only a bad file is read line by line, to say where it is bad
        return text
    for lineno, line in enumerate(text[:-1].split(END), start=1):
        if not line:
            raise DatasetError(f"{path}:{lineno}: empty line (every line must hold one name)")
        for column, char in enumerate(line, start=1):
            if char not in ALPHABET:
                raise DatasetError(
                    f"{path}:{lineno}:{column}: character {char!r} is not a lowercase letter a-z"
                )
    return text


class Tokenizer:
    """Maps characters to integer tokens and back.

    The vocabulary is the sorted set of characters of the training text, so the end-of-name
    token ``\\n`` (which sorts first) gets id 0 and 'a'..'z' get 1..26.
    """

    def __init__(self, chars: str) -> None:
        if len(set(chars)) != len(chars):
            raise ValueError(f"vocabulary has repeated characters: {chars!r}")
        self.chars = chars
        self.char_to_token = {c: i for i, c in enumerate(chars)}
        # for str.translate: each character to the character whose code is its id, or to nothing
        self.to_id_chars = {ord(c): chr(i) for i, c in enumerate(chars)}
        self.to_nothing = dict.fromkeys(map(ord, chars))

    @classmethod
    def from_text(cls, text: str) -> Tokenizer:
        """Build the vocabulary from every distinct character of ``text``."""
        return cls("".join(sorted(set(text))))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    @property
    def end_token(self) -> int:
        return self.char_to_token[END]

    def encode(self, text: str) -> list[int]:
        """Turn text into token ids; an unknown character raises ``ValueError`` naming it.

        The same as ``[self.char_to_token[c] for c in text]``, done by ``str.translate``: a
        name file of millions of characters is encoded in a fraction of a second.
        """
        unknown = text.translate(self.to_nothing)  # what is left once every known char is gone
        if unknown:
            raise ValueError(
                say(
                    f"character {unknown[0]!r} is not in the vocabulary, whose letters are "
                    f"{self.letters()}",
                    f"字符 {unknown[0]!r} 不在词表里（词表里的字符是 {self.letters()}）",
                )
            )
        id_chars = text.translate(self.to_id_chars)
        if self.vocab_size <= 256:  # ids fit in a byte each: bytes turn into a list in C
            return list(id_chars.encode("latin-1"))
        return [ord(c) for c in id_chars]

    def decode(self, tokens: list[int]) -> str:
        """Turn token ids back into text."""
        return "".join(self.chars[t] for t in tokens)

    def letters(self) -> str:
        """The characters a name may hold, for a message: runs of three or more consecutive
        letters or digits as their ends ("a-z"), any other character quoted ("' ' '-' a-z")."""
        chars = sorted(set(self.chars) - {END})
        runs: list[list[str]] = []  # consecutive letters or digits; any other character alone
        for c in chars:
            if runs and c.isalnum() and runs[-1][-1].isalnum() and ord(c) == ord(runs[-1][-1]) + 1:
                runs[-1].append(c)
            else:
                runs.append([c])
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append(f"{run[0]}-{run[-1]}")
            else:
                parts += [c if c.isalnum() else repr(c) for c in run]
        return " ".join(parts)

    def describe(self) -> str:
        """The vocabulary as a short readable string, the end token shown as '\\n'."""
        return "".join(self.chars).replace(END, "\\n")


@dataclass
class NamesData:
    """The three splits of a names folder, as text and as token lists, with their tokenizer."""

    folder: Path
    tokenizer: Tokenizer
    text: dict[str, str]
    tokens: dict[str, list[int]]

    def names(self, split: str) -> list[str]:
        """The names of one split, in file order."""
        return self.text[split].split(END)[:-1]

    def fingerprint(self) -> str:
        """A SHA-256 over the three split texts: identifies the data a checkpoint was trained on."""
        digest = hashlib.sha256()
        for split in SPLITS:
            digest.update(self.text[split].encode())
            digest.update(b"\0")
        return digest.hexdigest()


def load_names(folder: str | Path) -> NamesData:
    """Read ``train/val/test.txt`` from ``folder``, build the tokenizer from train, encode all."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: data folder not found")
    text = {split: read_names_file(folder / f"{split}.txt") for split in SPLITS}
    tokenizer = Tokenizer.from_text(text["train"])
    for split in ("val", "test"):  # train's own characters make the vocabulary
        unseen = sorted(set(text[split]) - set(tokenizer.chars))
        if unseen:
            raise DatasetError(
                f"{folder / (split + '.txt')}: characters {''.join(unseen)!r} never occur in "
                "train.txt, so the model has no token for them"
            )
    tokens = {split: tokenizer.encode(text[split]) for split in SPLITS}
    return NamesData(folder=folder, tokenizer=tokenizer, text=text, tokens=tokens)


# -----------------------------------------------------------------------------
# The n-gram walk


def ngram_windows(
    tokens: list[int], context_length: int, batch_size: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield batches of (contexts, targets) by sliding a window over the token stream.

    Example ``pos`` is ``tokens[pos : pos + T]`` with target ``tokens[pos + T]``; ``pos`` goes
    up by one per example and wraps to 0 when ``pos + T`` reaches the end. Every run of
    ``batch_size`` consecutive examples is one batch. The walk never ends: it cycles forever.
    """
    if len(tokens) <= context_length:
        raise ValueError(f"need more than {context_length} tokens, got {len(tokens)}")
    inputs, targets = [], []
    pos = 0
    while True:
        inputs.append(tokens[pos : pos + context_length])
        targets.append(tokens[pos + context_length])
        if len(inputs) == batch_size:
            yield torch.tensor(inputs), torch.tensor(targets)
            inputs, targets = [], []
        pos += 1
        if pos + context_length >= len(tokens):
            pos = 0


class NgramTable:
    """Every window of a token stream, as tensors, for fast batching.

    Gives exactly the batches of ``ngram_windows`` but by indexing: example number ``j`` of the
    walk sits at position ``j mod (len(tokens) - T)``, so batch ``k`` is a slice of positions.
    The windows are a view of the stream (``unfold``), not copies of it, and the stream is kept
    as 32-bit integers: a file of N characters costs 4N bytes here, whatever T is. Each batch is
    copied out as the 64-bit integers the model and the loss take. The table is made on
    ``device`` (the model's, when training on a GPU), so its batches are too.
    """

    def __init__(
        self, tokens: list[int], context_length: int, device: torch.device | str = "cpu"
    ) -> None:
        if len(tokens) <= context_length:
            raise ValueError(f"need more than {context_length} tokens, got {len(tokens)}")
        # through numpy: torch.tensor reads a long list several times slower
        stream = torch.from_numpy(np.fromiter(tokens, dtype=np.int32, count=len(tokens)))
        stream = stream.to(device)
        self.num_positions = len(tokens) - context_length
        self.contexts = stream.unfold(0, context_length, 1)[: self.num_positions]
        self.targets = stream[context_length:]

    def batch(self, index: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch number ``index`` (0-based) of the walk."""
        return self.examples(index * batch_size, batch_size)

    def examples(self, start: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``count`` consecutive examples of the walk, starting at example number ``start``."""
        start %= self.num_positions
        if start + count <= self.num_positions:  # the common case: one slice of the walk
            contexts, targets = (
                self.contexts[start : start + count],
                self.targets[start : start + count],
            )
        else:
            positions = (
                torch.arange(count, device=self.targets.device) + start
            ) % self.num_positions
            contexts, targets = self.contexts[positions], self.targets[positions]
        return contexts.long(), targets.long()

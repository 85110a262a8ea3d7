"""The word-level corpus and how word vectors are judged (notebook 03, word2vec benchmark).

gensim's wheel ships a small stemmed, stop-word-free Wikipedia sample (``head500.noblanks.cor``)
and the WordSim-353 similarity judgements, so the word-level experiments run offline. Two
measures compare vector sets: Spearman's rho between cosine similarity and human judgements, and
the overlap of top-10 cosine neighbours between two models over a fixed set of probe words.
``Vocabulary`` turns the tokenised lines into word ids for training. ``gensim_vectors`` trains
gensim's own word2vec, the yardstick for ours, and ``cpu_seconds`` times a run: notebook 03 and
``benchmarks/word2vec_speed.py`` compare the two with them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import torch
from gensim.models import Word2Vec
from gensim.parsing.porter import PorterStemmer
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess
from scipy.stats import spearmanr

HEAD500 = "head500.noblanks.cor"
WORDSIM = "wordsim353.tsv"
T = TypeVar("T")


def read_corpus(name_or_path: str = HEAD500) -> list[list[str]]:
    """Tokenised lines of a corpus: a gensim test-data file name or a path to a text file.

    Lines are split with gensim's ``simple_preprocess`` (lowercase, 2-15 letters, no digits).
    """
    path = Path(name_or_path)
    if not path.is_file():
        path = Path(datapath(name_or_path))
    if not path.is_file():
        raise FileNotFoundError(f"corpus {name_or_path!r} is neither a file nor gensim test data")
    with path.open(encoding="utf-8") as handle:
        return [simple_preprocess(line) for line in handle if line.strip()]


@dataclass
class Vocabulary:
    """Words seen at least ``min_count`` times, most frequent first, with their counts."""

    words: list[str]
    counts: torch.Tensor

    @classmethod
    def from_sentences(cls, sentences: list[list[str]], min_count: int = 5) -> Vocabulary:
        """Count every word; ties keep first-seen order (Counter.most_common is stable)."""
        counted = Counter(word for sentence in sentences for word in sentence)
        kept = [(w, c) for w, c in counted.most_common() if c >= min_count]
        if not kept:
            raise ValueError(f"no word occurs {min_count} times or more")
        return cls([w for w, _ in kept], torch.tensor([c for _, c in kept], dtype=torch.float64))

    def __len__(self) -> int:
        return len(self.words)

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, sentences: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids of the in-vocabulary words and the sentence number of each (flat tensors)."""
        lookup = self.index()
        tokens, sentence_ids = [], []
        for number, sentence in enumerate(sentences):
            ids = [lookup[w] for w in sentence if w in lookup]
            tokens.extend(ids)
            sentence_ids.extend([number] * len(ids))
        return torch.tensor(tokens), torch.tensor(sentence_ids)


def wordsim_pairs(stem: bool = True) -> list[tuple[str, str, float]]:
    """WordSim-353 as (word, word, human score); stemmed with Porter's stemmer when ``stem``.

    head500 is stemmed ("church" appears as "church", "university" as "univers"), so the pairs
    must be stemmed the same way to be found in its vocabulary.
    """
    stemmer = PorterStemmer()
    pairs = []
    with open(datapath(WORDSIM), encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            a, b, score = line.rstrip("\n").split("\t")
            a, b = a.lower(), b.lower()
            if stem:
                a, b = stemmer.stem(a), stemmer.stem(b)
            pairs.append((a, b, float(score)))
    return pairs


def wordsim_spearman(
    vectors: torch.Tensor, words: list[str], pairs: list[tuple[str, str, float]]
) -> tuple[float, int]:
    """Spearman's rho between cosine similarity and human score, over in-vocabulary pairs.

    Returns ``(rho, number of pairs used)``.
    """
    index = {w: i for i, w in enumerate(words)}
    x = torch.nn.functional.normalize(torch.as_tensor(vectors, dtype=torch.float64), dim=1)
    found = [(index[a], index[b], s) for a, b, s in pairs if a in index and b in index]
    if len(found) < 3:
        raise ValueError(f"only {len(found)} WordSim pairs are in the vocabulary")
    cosines = [float(x[i] @ x[j]) for i, j, _ in found]
    rho = spearmanr(cosines, [s for _, _, s in found]).statistic
    return float(rho), len(found)


def top_neighbours(vectors: torch.Tensor, probes: list[int], k: int = 10) -> torch.Tensor:
    """Indices (len(probes), k) of each probe row's k nearest rows by cosine, itself excluded."""
    x = torch.nn.functional.normalize(torch.as_tensor(vectors, dtype=torch.float64), dim=1)
    sims = x[probes] @ x.T
    sims[torch.arange(len(probes)), torch.tensor(probes)] = float("-inf")
    return sims.topk(k, dim=1).indices


def neighbour_overlap(a: torch.Tensor, b: torch.Tensor, probes: list[int], k: int = 10) -> float:
    """Mean share of top-``k`` neighbours two vector sets (same row order) agree on."""
    na, nb = top_neighbours(a, probes, k), top_neighbours(b, probes, k)
    shared = [len(set(x.tolist()) & set(y.tolist())) for x, y in zip(na, nb, strict=True)]
    return sum(shared) / (k * len(probes))


def gensim_vectors(
    sentences: list[list[str]], words: list[str], *, sg: bool, seed: int, **settings: float
) -> torch.Tensor:
    """Train gensim's word2vec on ``sentences``; return the vectors of ``words``, one row each.

    The rows follow ``words`` (pass a ``Vocabulary``'s words), so they line up with our model's
    rows for ``wordsim_spearman`` and ``neighbour_overlap``. ``settings`` are ``Word2Vec``'s
    own arguments (vector_size, window, negative, sample, epochs, alpha, min_alpha), the names
    ``NegativeSamplingConfig`` uses too. One worker thread, so that a seed gives the same vectors
    on every run, and words seen 5 times or more, as in the ``Vocabulary`` we train on.
    """
    model = Word2Vec(sentences, sg=int(sg), min_count=5, workers=1, seed=seed, **settings)
    return torch.tensor(model.wv[words])


def cpu_seconds(fn: Callable[[], T]) -> tuple[T, float]:
    """Run ``fn()`` and return (its result, the process CPU seconds it used).

    Process CPU time, not wall time: it counts only this process's work, so other programs on
    the machine disturb it less.
    """
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start

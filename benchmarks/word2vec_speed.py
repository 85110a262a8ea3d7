"""Speed benchmark: our negative-sampling word2vec, readable and fast, against gensim on head500.

Trains skip-gram and CBOW with identical settings (gensim ``Word2Vec``, workers=1) and prints, for
the readable trainer and the fast one (``ngram_helpers.fast_word2vec``), CPU seconds, the ratio
ours/gensim, WordSim-353 Spearman rho and the top-10 neighbour overlap between
the two models next to the overlap between two gensim seeds. A benchmark, not a test: timings
depend on the machine and on what else runs on it.

    .venv/bin/python benchmarks/word2vec_speed.py [--epochs-sg 5] [--epochs-cbow 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
from functools import partial

import torch

from ngram_helpers.corpus import (
    Vocabulary,
    cpu_seconds,
    gensim_vectors,
    neighbour_overlap,
    read_corpus,
    wordsim_pairs,
    wordsim_spearman,
)
from ngram_helpers.fast_word2vec import train_negative_sampling_fast, warm_up
from ngram_helpers.negative_sampling import NegativeSamplingConfig, train_negative_sampling

PROBES = list(range(20, 220))  # frequency ranks 20-219: frequent enough to have stable neighbours
# the settings our config shares with gensim's Word2Vec, under the same names
GENSIM_SETTINGS = ("vector_size", "window", "negative", "sample", "epochs", "alpha", "min_alpha")


TRAINERS = {"readable": train_negative_sampling, "fast": train_negative_sampling_fast}


def compare(
    sentences, vocab, encoded, config: NegativeSamplingConfig, repeats: int = 3
) -> dict[str, dict[str, float]]:
    """Train both of ours and gensim (two seeds); return timings and quality figures per trainer.

    Ours (readable, fast) and gensim (seed 1) are trained in turn ``repeats`` times and the
    fastest run of each is kept: on a shared machine the fastest run is the one least slowed by
    other programs. All are deterministic, so every repeat gives the same vectors.
    """
    pairs = wordsim_pairs(stem=True)
    settings = {name: getattr(config, name) for name in GENSIM_SETTINGS}
    gensim = partial(gensim_vectors, sentences, vocab.words, sg=config.sg, **settings)
    ours_s, gen_s, models = dict.fromkeys(TRAINERS, float("inf")), float("inf"), {}
    for _ in range(repeats):
        for name, train in TRAINERS.items():
            models[name], seconds = cpu_seconds(
                partial(train, None, config, vocabulary=vocab, encoded=encoded)
            )
            ours_s[name] = min(ours_s[name], seconds)
        gen_a, seconds = cpu_seconds(partial(gensim, seed=1))
        gen_s = min(gen_s, seconds)
    gen_b = gensim(seed=2)
    rho_gen, n_pairs = wordsim_spearman(gen_a, vocab.words, pairs)
    overlap_seeds = neighbour_overlap(gen_a, gen_b, PROBES)
    return {
        name: {
            "ours_cpu_s": ours_s[name],
            "gensim_cpu_s": gen_s,
            "ratio": ours_s[name] / gen_s,
            "rho_ours": wordsim_spearman(model.w_in, vocab.words, pairs)[0],
            "rho_gensim": rho_gen,
            "wordsim_pairs": n_pairs,
            "overlap_ours_gensim": neighbour_overlap(model.w_in, gen_a, PROBES),
            "overlap_gensim_seeds": overlap_seeds,
        }
        for name, model in models.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-sg", type=int, default=5)
    parser.add_argument("--epochs-cbow", type=int, default=10)
    parser.add_argument(
        "--batch", type=int, default=None, help="default: 1024 pairs skip-gram, 384 CBOW"
    )
    parser.add_argument("--only", choices=["sg", "cbow"], default=None)
    parser.add_argument(
        "--repeats", type=int, default=3, help="alternating timed runs of each; the fastest counts"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    _, compile_s = cpu_seconds(warm_up)
    print(f"fast trainer's loop compiled (or loaded from numba's cache): {compile_s:.1f} CPU s")
    sentences = read_corpus()
    vocab = Vocabulary.from_sentences(sentences, min_count=5)
    encoded = vocab.encode(sentences)
    print(f"head500: {len(encoded[0]):,} in-vocabulary tokens, vocabulary {len(vocab):,}")
    for name, sg, epochs in (
        ("skip-gram", True, args.epochs_sg),
        ("CBOW", False, args.epochs_cbow),
    ):
        if args.only and args.only != ("sg" if sg else "cbow"):
            continue
        config = NegativeSamplingConfig(sg=sg, epochs=epochs, batch_size=args.batch)
        for trainer, r in compare(sentences, vocab, encoded, config, args.repeats).items():
            print(
                f"{name:9s} {epochs:2d} epochs, {trainer:8s}: ours {r['ours_cpu_s']:5.1f} CPU s, "
                f"gensim {r['gensim_cpu_s']:5.1f} CPU s, ratio {r['ratio']:.2f} | "
                f"rho ours {r['rho_ours']:.3f} gensim {r['rho_gensim']:.3f} "
                f"({r['wordsim_pairs']} pairs)"
                f" | top-10 overlap ours-gensim {r['overlap_ours_gensim']:.3f}, "
                f"gensim seeds {r['overlap_gensim_seeds']:.3f}"
            )


if __name__ == "__main__":
    main()

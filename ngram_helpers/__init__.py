"""The helpers the notebooks share: one concept per module, each naming its notebook.

Read them in this order; every import points down the list, never up:

data        rng.py          the deterministic generator behind every weight and coin (02)
            data.py         names splits, the tokenizer, the n-gram walk (02)
            files.py        writing a file whole or not at all (04)
            toy_data.py     moons, a noisy sine, 8x8 digits (01)
            corpus.py       the word corpus, its vocabulary, word-vector benchmarks (03)
models      ngrams.py       count n-gram models: add-alpha (02), Kneser-Ney (05)
            models.py       the Bengio et al. MLP, with raw tensors and as an nn.Module (02)
            toy_models.py   the small MLPs of notebook 01
            word2vec.py     skip-gram and CBOW with the full softmax (03)
            negative_sampling.py   word2vec as trained in practice (03)
training    evaluate.py     the lesson's evaluation of a split (02)
            fast.py         the fast engine: the same step with fewer operations (04)
            train.py        the training loop, plain or fast engine (02, 04)
            lr_finder.py    the learning-rate finder (05)
            checkpoint.py   saving and loading a trained model (04)
sampling    sample.py       the lesson's sampler, temperature, top-k, prefix; name origins (02, 04)
            cli.py          python -m ngram_helpers train|sample (04)
analysis    embeddings.py   PCA, alignment, nearest neighbours of embeddings (02-04)
            context_probe.py    which context position the model listens to (04)
            mixture.py      mixing models, as Bengio et al. did (05)
            experiments.py  the rows of notebook 05's results table (05)
            seed_spread.py  a row's loss over several seeds, and when a gap exceeds it (05)
            plots.py        loss curves (01)
widgets     environment.py  the first cell's check that widgets can render (all)
            boundary_widget.py  the decision-boundary explorer (01)
            sampler_widget.py   the name sampler (04)
exercises   feedback.py     what a check says: correct, not yet (and why), not attempted (all)
            exercises_mlp_basics.py       the checks of notebook 01's exercises
            exercises_language_model.py   the checks of notebook 02's exercises
            exercises_embeddings.py       the checks of notebook 03's exercises
            exercises_training_run.py     the checks of notebook 04's exercises
            exercises_beyond.py           the checks of notebook 05's exercises
"""

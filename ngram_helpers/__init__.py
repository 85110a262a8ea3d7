"""The library the notebooks teach: one concept per module, each naming its notebook.

Read the modules in this order; every import points down the list, never up. The number after
each module is the notebook that first uses it (then others that build on it):

messages    language.py     the learner's language, English or Chinese, for what the code says
data        rng.py          the deterministic generator behind every weight and coin (02)
            device.py       where tensors live: cuda, mps or cpu, and how one is chosen (01, 02, 04)
            data.py         names splits, the tokenizer, the n-gram walk (01, 02)
            files.py        the project's folders; writing a file whole or not at all (02)
            toy_data.py     moons, a noisy sine, 8x8 digits (01)
            corpus.py       the word corpus, its vocabulary, word-vector benchmarks (03)
models      ngrams.py       count n-gram models: add-alpha, Kneser-Ney (02, 05)
            models.py       the Bengio et al. MLP, with raw tensors and as an nn.Module (01, 02)
            toy_models.py   the small MLPs of notebook 01 (01)
            word2vec.py     skip-gram and CBOW with the full softmax (03)
            negative_sampling.py   word2vec as trained in practice (03)
            fast_word2vec.py    the same word2vec training as a compiled loop (03)
training    evaluate.py     the lesson's evaluation of a split (02)
            fast.py         the fast engine: the same step with fewer operations (04)
            train.py        the training loop, plain or fast engine (02, 04)
            lr_finder.py    the learning-rate finder (05)
            checkpoint.py   saving and loading a trained model (04)
sampling    sample.py       the lesson's sampler, temperature, top-k, prefix; name origins (04)
            cli.py          python -m ngram_helpers train|sample (04)
analysis    embeddings.py   PCA, alignment, nearest neighbours of embeddings (02, 03, 04)
            context_probe.py    which context position the model listens to (04)
            mixture.py      mixing models, as Bengio et al. did (05)
            experiments.py  the rows of notebook 05's results table, scored on the walk (04, 05)
            results.py      the committed results tables: reading them, showing rows (05)
            seed_spread.py  a row's loss over several seeds, and when a gap exceeds it (05)
            plots.py        loss curves, a confusion matrix, the series' figure style (01)
            schematics.py   pictures of the models, drawn from their shapes (01, 02, 03)

Two subpackages sit beside the library and are not part of what the notebooks teach:

- ``ngram_helpers.widgets``: the interactive widgets and the environment check;
- ``ngram_helpers.exercises``: the code behind the exercises' check cells. It contains the
  answers; the worked solutions, with their reasoning, are in ``solutions/``.

Nothing in the library imports either of them.
"""

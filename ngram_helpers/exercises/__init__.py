"""The code behind the exercises' check cells. It contains the answers: try each exercise first.

A check computes the right answer and the typical wrong ones, so that it can say which mistake
an answer makes. Reading a checker before trying the exercise gives the answer away; the worked
solutions, with the reasoning behind them, are in ``solutions/`` under the same notebook name:

feedback.py                        what a check says: correct, not yet (and why), not attempted
limits.py                          how long a check waits for the learner's code
nb01_mlp_basics.py                 notebooks/01_mlp_basics.ipynb, solutions/01_mlp_basics.py
nb02_bengio_language_model.py      notebooks/02_bengio_language_model.ipynb, solutions/02_...
nb03_word_embeddings.py            notebooks/03_word_embeddings.ipynb, solutions/03_...
nb04_full_training_run.py          notebooks/04_full_training_run.ipynb, solutions/04_...
nb05_beyond_the_lesson.py          notebooks/05_beyond_the_lesson.ipynb, solutions/05_...

The tests of each module are ``tests/exercises/test_<module>.py``. These modules import the
library (``ngram_helpers.*``) and ``feedback``, never the widgets.
"""

"""Run by the series' Jupyter kernel when it starts (``PYTHONSTARTUP`` in its kernel spec).

``make lab`` registers the kernel "Python (ngram-helpers)" with this file as its start-up file.
It only sets up the hint for cells run out of order (``ngram_helpers.widgets.run_order``) and
leaves no name behind in the notebook.
"""

from ngram_helpers.widgets.run_order import explain_name_errors

explain_name_errors()
del explain_name_errors

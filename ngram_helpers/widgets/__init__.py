"""The notebooks' interactive widgets: controls in, pictures and names out.

Not part of what the series teaches: a widget wraps library code (training, sampling) in sliders.
Each module names the notebook that shows it:

environment.py  the check that interactive widgets can render in this Jupyter (01)
boundary.py     the decision-boundary explorer (01)
sampler.py      the name sampler (04)
run_order.py    the hint for a cell run out of order, set up by the series' kernel (all)

These modules import the library (``ngram_helpers.*``), never the exercises.
"""

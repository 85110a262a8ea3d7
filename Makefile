# Two commands do everything on a fresh machine:
#   make lab    set up (first time only) and open the notebooks in JupyterLab
#   make test   set up (first time only) and run every test, notebooks included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
READY_REBUILD := $(VENV)/.ready-rebuild
KERNEL := ngram-helpers
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tools/nbval_sanitize.cfg

# The models of this series are small: their matrix products are too short to gain from a second
# thread, and when another program is busy on a 2-core machine two OpenMP threads make training
# dozens of times slower. One thread per process unless you say otherwise.
OMP_NUM_THREADS ?= 1
export OMP_NUM_THREADS

.PHONY: setup lab test unit notebooks lint format clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ngram-helpers)"
	touch $@

$(READY_REBUILD): $(READY)
	$(BIN)/python -m pip install --quiet -e '.[rebuild]'
	touch $@

setup: $(READY)

lab: $(READY)
	$(BIN)/jupyter lab notebooks/

test: $(READY_REBUILD)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -p no:cacheprovider tests notebooks $(NBVAL)

unit: $(READY)
	$(BIN)/python -m pytest -p no:cacheprovider tests

# Re-execute every notebook (or NB=notebooks/xx.ipynb) and store its outputs without noise;
# ARGS=--refresh-timings also re-measures the cells tagged "timing".
notebooks: $(READY)
	$(BIN)/python tools/run_notebooks.py $(ARGS) $(or $(NB),notebooks/*.ipynb)

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(READY)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV)

# Two commands do everything on a fresh machine:
#   make lab    set up (first time only) and open the notebooks in JupyterLab
#   make test   set up (first time only) and run every test, notebooks included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
READY_TEST := $(VENV)/.ready-test
KERNEL := ngram-helpers
LOCK := constraints.txt
# pip shows each download with a progress bar (the first set-up is large: see README.md, "What the
# first set-up downloads"); packages already there are listed as such.
PIP := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -c $(LOCK)
# TORCH_INDEX=https://download.pytorch.org/whl/cpu make lab installs PyTorch's CPU-only build from
# that index first. On Linux, PyPI's torch is the CUDA build, which pulls in several GB of CUDA
# libraries; a machine without an NVIDIA GPU does not need them.
TORCH_INDEX ?=
# nbval runs all ten notebooks: both editions, each executed with its own code (the Chinese one
# speaks Chinese) and checked against its own stored outputs. tests/notebooks/test_translations.py
# holds the two editions together: the same code token for token but for words, the same numbers.
NOTEBOOKS := $(wildcard notebooks/[0-9]*.ipynb) $(wildcard notebooks/zh/[0-9]*.ipynb)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tools/nbval_sanitize.cfg
# The learner's own copy of the notebooks and solutions, which `make lab` opens (git-ignored).
WORKSPACE := workspace
# Jupyter refuses to start as root unless told it may: containers and cloud machines run as root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

# The models of this series are small: their matrix products are too short to gain from a second
# thread, and when another program is busy on a 2-core machine two OpenMP threads make training
# dozens of times slower. One thread per process unless you say otherwise.
OMP_NUM_THREADS ?= 1
export OMP_NUM_THREADS

.PHONY: setup lab lab-zh refresh lab-repo test unit notebooks lint format lock clean zh book

# The notebooks' environment: the project and what it needs, at the versions of $(LOCK).
$(READY): pyproject.toml $(LOCK)
	@echo "setting up $(VENV) (first time only): downloading Python packages, see README.md ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --disable-pip-version-check --upgrade pip
	@$(if $(TORCH_INDEX),$(PIP) torch --index-url $(TORCH_INDEX))
	@$(PIP) -e .
	@$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python (ngram-helpers)" \
		--env PYTHONSTARTUP "$(abspath tools/kernel_startup.py)" >/dev/null
	@echo "installed; Jupyter kernel \"Python (ngram-helpers)\" registered inside $(VENV)"
	@touch $@

# Tests add the test runner, notebook checks, browser tests, the linter and the dataset rebuild.
$(READY_TEST): $(READY)
	@echo "adding the test tools to $(VENV) ..."
	@$(PIP) -e '.[test,rebuild]'
	@touch $@

setup: $(READY)

# The book: both editions as a static site in _build/book/ (tools/build_book.py; open
# _build/book/index.html, or copy the folder to any static host). The `book` extra adds Sphinx,
# MyST-NB and the book theme; MathJax comes from the npm registry once, into _build/vendor/, so
# the site loads nothing from another host and later builds download nothing.
READY_BOOK := $(VENV)/.ready-book
MATHJAX_VERSION := 3.2.2
MATHJAX := _build/vendor/mathjax
$(READY_BOOK): $(READY)
	@$(PIP) -e '.[book]'
	@touch $@

$(MATHJAX)/tex-chtml.js:
	@mkdir -p _build/vendor $(MATHJAX)
	cd _build/vendor && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	tar -xzf _build/vendor/mathjax-$(MATHJAX_VERSION).tgz -C $(MATHJAX) --strip-components=2 \
		package/es5/tex-chtml.js package/es5/output/chtml/fonts/woff-v2
	@rm _build/vendor/mathjax-$(MATHJAX_VERSION).tgz

book: $(READY_BOOK) $(MATHJAX)/tex-chtml.js
	$(BIN)/python tools/build_book.py --mathjax $(MATHJAX)

# JupyterLab serves the learner's own copy of the series, workspace/ (git-ignored; made on first
# use by tools/workspace.py), so that saving a notebook never touches a tracked file and the links
# from the notebooks to ../solutions/ stay inside the served folder. It opens at its notebooks/.
lab: $(READY)
	@$(BIN)/python tools/workspace.py create --workspace $(WORKSPACE)
	$(BIN)/jupyter lab $(LAB_FLAGS) --ContentsManager.preferred_dir=notebooks $(WORKSPACE)/

# The Chinese edition with JupyterLab's menus in Chinese: the same workspace/, opened at
# notebooks/zh/, with a settings folder of its own whose language setting starts as zh_CN (the
# language pack is one of the notebooks' dependencies). `make lab` keeps the learner's own settings.
LAB_ZH_SETTINGS := $(WORKSPACE)/.jupyterlab-zh
LAB_ZH_LANGUAGE := $(LAB_ZH_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings
lab-zh: $(READY)
	@$(BIN)/python tools/workspace.py create --workspace $(WORKSPACE)
	@mkdir -p $(dir $(LAB_ZH_LANGUAGE))
	@test -f $(LAB_ZH_LANGUAGE) || echo '{"locale": "zh_CN"}' > $(LAB_ZH_LANGUAGE)
	$(BIN)/jupyter lab $(LAB_FLAGS) --LabApp.user_settings_dir=$(LAB_ZH_SETTINGS) \
		--ContentsManager.preferred_dir=notebooks/zh $(WORKSPACE)/

# After a `git pull`: the course's newer notebooks and solutions into workspace/. A file the
# learner changed is kept, and the course's version written beside it (NN_name.course.ipynb).
refresh: $(READY)
	@$(BIN)/python tools/workspace.py refresh --workspace $(WORKSPACE)

# For maintainers: JupyterLab on the repository itself, to edit the tracked notebooks (then store
# them with `make notebooks`, see MAINTAINING.md). Its links resolve too: the root holds them all.
lab-repo: $(READY)
	$(BIN)/jupyter lab $(LAB_FLAGS) --ContentsManager.preferred_dir=notebooks .

test: $(READY_TEST) book
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -p no:cacheprovider tests $(NOTEBOOKS) $(NBVAL)

# The quick loop while editing (under a minute on 2 cores): every test that is neither marked slow
# (the lesson's two 50,000-step runs, the command line end to end, the dataset rebuild) nor a
# browser test, and no notebooks. `make test` runs those too.
unit: $(READY_TEST)
	$(BIN)/python -m pytest -p no:cacheprovider -q -m "not slow and not browser" tests

# Re-execute every notebook (or NB=notebooks/xx.ipynb) and store its outputs without noise;
# ARGS=--refresh-timings also re-measures the cells tagged "timing". Then rebuild the Chinese
# edition from the English notebooks and notebooks/zh/translations/, and execute it too.
notebooks: $(READY_TEST)
	$(BIN)/python tools/run_notebooks.py $(ARGS) $(or $(NB),notebooks/[0-9]*.ipynb)
	$(BIN)/python tools/translate.py update
	$(BIN)/python tools/translate.py build
	$(BIN)/python tools/run_notebooks.py $(ARGS) \
		$(patsubst notebooks/%,notebooks/zh/%,$(or $(NB),$(wildcard notebooks/[0-9]*.ipynb)))
	$(MAKE) --no-print-directory zh

# The Chinese edition: add entries for new or changed English cells, build notebooks/zh/, and fail
# naming any cell still to translate, or a Chinese notebook whose code changed since it was
# executed (make notebooks NB=notebooks/xx.ipynb executes it).
zh: $(READY_TEST)
	$(BIN)/python tools/translate.py update
	$(BIN)/python tools/translate.py build
	$(BIN)/python tools/translate.py check
	$(BIN)/python tools/glossary.py

lint: $(READY_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(READY_TEST)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve every package from pyproject.toml's ranges in a scratch venv and write the exact
# versions to $(LOCK); then `make notebooks` and `make test` (outputs may change).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,rebuild,book]'
	head -3 $(LOCK) > $(LOCK).new
	.venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v '^pip==' | sed -E 's/\+[A-Za-z0-9.]+$$//' >> $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock

clean:
	rm -rf $(VENV)

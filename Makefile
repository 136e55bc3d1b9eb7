# Migration Statistics Lab: every command a user types. `make help` lists them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help venv sandbox book pdf exercises test lab lab-trainer lab-citations clean workshop workshop-stop offline-bundle

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Installs only when requirements.txt or pyproject.toml changed: a second run installs nothing.
# uv (from PyPI) installs the same pinned versions as pip, several packages at a time: on 2 cores
# about 25 s instead of 85 s. It compiles the bytecode, as pip does. pip stays in .venv (the
# offline bundle uses it) and checks the result.
UV := uv==0.13.9
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -r requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements (done by every other command)

# labgrade runs learners' code under bubblewrap (Debian package), so that it cannot write outside
# its scratch folder. Chromium and its driver (Debian packages, no browser download) print the
# PDF and let the tests read lessons as JupyterLab shows them. Installing needs root (or sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_TOOLS := bwrap chromium chromedriver pdftotext
sandbox: ## Install bubblewrap (labgrade's sandbox) and Chromium (PDF, tests): needs root or sudo, once
	@for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	 [ -z "$$missing" ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq bubblewrap chromium chromium-driver poppler-utils; }
	@bwrap --unshare-user --ro-bind / / true || { echo "bubblewrap cannot create a user namespace here: labgrade cannot grade safely"; exit 1; }

exercises: $(STAMP) ## Generate the learners' version of every exercise for the book
	$(BIN)/python grader/student_pages.py

# The book executes its notebooks on every core (book/build.py); a rebuild re-executes only the
# notebooks that changed.
book: exercises ## Build the book (executes the notebooks on every core) into _build/html
	$(BIN)/python book/build.py
	@echo "Open _build/html/index.html in a browser."

pdf: book ## Print the whole book, without answers, into _build/migstats-lab.pdf (needs Chromium: make sandbox)
	$(BIN)/python book/build.py --pdf

test: $(STAMP) sandbox ## Run the whole test suite (includes a full book build)
	$(BIN)/python -m pytest

.PHONY: mutation
mutation: $(STAMP) ## Mutation score per module and survivors (slow; MODULES="flows ledger", SAMPLE=100, CHILDREN=2)
	$(BIN)/python bench/mutation.py $(if $(SAMPLE),--sample $(SAMPLE)) $(if $(CHILDREN),--children $(CHILDREN)) $(MODULES)

# Learners' settings (grader/workshop/learner): MyST rendered, citations as in the book, no nbgrader
# authoring tools, no news or update checks from the internet. Trainers who write exercises use
# lab-trainer, which shows citations as in the book too (the course's extension, committed built).
LAB_EXTENSIONS := $(abspath grader/workshop/learner/labextensions)
lab: $(STAMP) ## Open JupyterLab on the course, as learners see it
	JUPYTER_CONFIG_PATH=$(abspath grader/workshop/learner/laptop) $(BIN)/jupyter lab --config=$(abspath grader/workshop/learner/jupyter_server_config.py)

lab-trainer: $(STAMP) ## Open JupyterLab with nbgrader's authoring tools (Create Assignment, Formgrader)
	$(BIN)/jupyter lab --LabApp.extra_labextensions_path=$(LAB_EXTENSIONS)

lab-citations: $(STAMP) ## Rebuild JupyterLab's citation extension after a change to its source (needs node and npm)
	$(BIN)/python grader/workshop/lab-citations/lab_citations.py

workshop: exercises sandbox ## Start the room's JupyterHub (settings: grader/workshop/workshop.toml)
	$(BIN)/python grader/workshop/run.py start

workshop-stop: ## Stop the room's JupyterHub and every learner's server
	$(BIN)/python grader/workshop/run.py stop

offline-bundle: pdf ## One zip for laptops with no internet: book, notebooks, datasets, wheels
	$(BIN)/python grader/workshop/bundle.py

clean: ## Remove the built book, caches and generated exercises (keeps .venv)
	rm -rf _build book/exercises/*.ipynb .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

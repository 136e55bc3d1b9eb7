# Migration Statistics Lab: every command a user types. `make help` lists them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help venv sandbox book exercises test lab clean workshop workshop-stop offline-bundle

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Installs only when requirements.txt or pyproject.toml changed: a second run installs nothing.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the pinned requirements (done by every other command)

# labgrade runs learners' code under bubblewrap (Debian package), so that it cannot write outside
# its scratch folder. Installing it needs root (or sudo); it is checked on every run.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
sandbox: ## Install bubblewrap, the sandbox labgrade grades in (needs root or sudo, once)
	@command -v bwrap >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq bubblewrap; }
	@bwrap --unshare-user --ro-bind / / true || { echo "bubblewrap cannot create a user namespace here: labgrade cannot grade safely"; exit 1; }

exercises: $(STAMP) ## Generate the learners' version of every exercise for the book
	$(BIN)/python grader/student_pages.py

book: exercises ## Build the book (executes every notebook, cached) into _build/html
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "Open _build/html/index.html in a browser."

test: $(STAMP) sandbox ## Run the whole test suite (includes a full book build)
	$(BIN)/python -m pytest

.PHONY: mutation
mutation: $(STAMP) ## Mutation score per module and survivors (slow; MODULES="flows ledger", SAMPLE=100)
	$(BIN)/python bench/mutation.py $(if $(SAMPLE),--sample $(SAMPLE)) $(MODULES)

lab: $(STAMP) ## Open JupyterLab on the course
	$(BIN)/jupyter lab

workshop: exercises sandbox ## Start the room's JupyterHub (settings: grader/workshop/workshop.toml)
	$(BIN)/python grader/workshop/run.py start

workshop-stop: ## Stop the room's JupyterHub and every learner's server
	$(BIN)/python grader/workshop/run.py stop

offline-bundle: book ## One zip for laptops with no internet: book, notebooks, datasets, wheels
	$(BIN)/python grader/workshop/bundle.py

clean: ## Remove the built book, caches and generated exercises (keeps .venv)
	rm -rf _build book/exercises/*.ipynb .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

# The one entry point for people, the Dev Container and CI. `make help` lists targets.
# Only python3 and make are needed: the first target run creates .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE := _build/dirhtml
HOST ?= 127.0.0.1
PORT ?= 8000
STRICT := --warningiserror --nitpick --keep-going
BENCH_ARGS ?=  # e.g. make bench BENCH_ARGS="--lighthouse-runs 3"; "--speed": what each speed module saves
FRESHNESS_ARGS ?=  # e.g. make freshness FRESHNESS_ARGS=--strict

.DEFAULT_GOAL := help
.PHONY: help install build downloads serve test pytest lint linkcheck freshness bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt tests/browser/package-lock.json
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@# axe-core for the accessibility tests; without npm those tests are skipped.
	if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --silent --no-audit --no-fund; \
	else echo "npm not found: accessibility tests will be skipped"; fi
	touch $@

install: $(STAMP)  ## Create .venv with everything the book needs to build, test and lint

build: $(STAMP)  ## Build the whole site strictly into _build/dirhtml
	$(BIN)/jupyter-book build --builder dirhtml --all $(STRICT) .

downloads: build  ## Build the whole book as PDF and EPUB into _build/dirhtml/downloads
	$(BIN)/python tools/downloads.py

serve: $(STAMP)  ## Build and serve with live reload at http://localhost:8000
	$(BIN)/sphinx-autobuild -b dirhtml -d _build/.doctrees --host $(HOST) --port $(PORT) \
		--ignore "$(CURDIR)/$(VENV)/*" --ignore "$(CURDIR)/.git/*" --ignore "$(CURDIR)/tests/*" \
		--ignore "$(CURDIR)/_build/*" . $(SITE)

test: lint pytest  ## Run every check: lint, then the test suite (builds the book)

pytest: $(STAMP)  ## Run the test suite only
	$(BIN)/python -m pytest

lint: $(STAMP)  ## Lint code, prose, data and workflows (all offline)
	$(BIN)/ruff check _ext _charts tests tools conf.py
	$(BIN)/ruff format --check _ext _charts tests tools conf.py
	$(BIN)/codespell
	$(BIN)/rumdl check --quiet .
	$(BIN)/python tools/check_prose.py
	for data in _data/*.yml; do \
		$(BIN)/check-jsonschema --schemafile _data/schema/$$(basename $$data .yml).schema.json $$data || exit 1; \
	done
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-issue-forms $(filter-out %/config.yml,$(wildcard .github/ISSUE_TEMPLATE/*.yml))
	$(BIN)/check-jsonschema --builtin-schema vendor.citation-file-format CITATION.cff
	$(BIN)/zizmor --offline --quiet .github/workflows

linkcheck: $(STAMP)  ## Check external links (needs the internet; CI runs it weekly)
	-$(BIN)/jupyter-book build --builder linkcheck .

freshness: $(STAMP)  ## List data rows and sources due to be checked again (offline)
	$(BIN)/python tools/freshness.py $(FRESHNESS_ARGS)

bench: $(STAMP)  ## Print build times, per-page transfer sizes and Lighthouse scores
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tools/lighthouse --silent --no-audit --no-fund; fi
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

clean:  ## Remove the build output (keeps .venv)
	rm -rf _build

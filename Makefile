# actorlab developer commands. `make test` is what CI runs (see .ci/run).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Core tests also run on the newest supported Python (pyenv provides it on our machines).
PY313  ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13))
VENV313 := .venv313
# Kernel tests also run on ipykernel 6.29, the oldest supported line (global output parents).
VENV_IPK6 := .venv-ipykernel6

.PHONY: test test-skipped lint test-core-313 test-ipykernel6 lab bench bench-quick bench-savina mutation clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(VENV313)/.installed: pyproject.toml
	@test -n "$(PY313)" || { echo "Python 3.13 not found: install it (pyenv install 3.13) or set PY313=/path/to/python3.13"; exit 1; }
	$(PY313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install -q --upgrade pip
	$(VENV313)/bin/python -m pip install -q -e '.[test-core]'
	touch $@

$(VENV_IPK6)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_IPK6)
	$(VENV_IPK6)/bin/python -m pip install -q --upgrade pip
	$(VENV_IPK6)/bin/python -m pip install -q -e '.[dev]' 'ipykernel==6.29.*'
	touch $@

## The whole test suite: lint, types, every test (notebooks and the browser too), core on 3.13,
## the real-kernel tests again on ipykernel 6. Without Python 3.13 or Chromium it runs all the
## rest and says what it skipped and why; with CI=true both are required (missing ones fail).
test: $(BIN)/.installed lint
	$(BIN)/python -m bench --quick
	$(BIN)/python -m pytest
	$(MAKE) test-core-313
	$(MAKE) test-ipykernel6
	@$(MAKE) --no-print-directory test-skipped

NO313 := no python3.13 found (pyenv install 3.13, or PY313=/path/to/python3.13)
NOCHROMIUM := no /usr/bin/chromium (apt-get install chromium; .ci/run does)

# What `make test` could not run here, in plain words (CI=true turns each into a failure).
test-skipped:
	@[ -n "$(PY313)" ] || echo "make test SKIPPED the core tests on Python 3.13: $(NO313)"
	@[ -x /usr/bin/chromium ] || echo "make test SKIPPED the browser tests: $(NOCHROMIUM)"

lint: $(BIN)/.installed
	$(BIN)/ruff check actorlab tests bench
	$(BIN)/mypy

test-core-313:
	@if [ -n "$(PY313)" ]; then \
	  $(MAKE) --no-print-directory $(VENV313)/.installed \
	  && $(VENV313)/bin/python -m pytest -q tests/core -p no:cacheprovider; \
	elif [ "$(CI)" = "true" ]; then echo "test-core-313: $(NO313); CI=true requires it"; exit 1; \
	else echo "SKIPPED test-core-313: $(NO313)"; fi

# Every real-kernel test and every tutorial again on ipykernel 6; the exercises' three-way checks
# (blank, wrong answers, solution) are about teach, not the kernel: once is enough.
IPK6_ONCE := --ignore=tests/notebooks/test_exercises.py --ignore=tests/notebooks/test_new_tutorials.py \
	--ignore=tests/notebooks/test_lab_path.py
test-ipykernel6: $(VENV_IPK6)/.installed
	ACTORLAB_EXPECT_IPYKERNEL=6 $(VENV_IPK6)/bin/python -m pytest -q -m kernel -p no:cacheprovider $(IPK6_ONCE)

## Open the tutorials in JupyterLab, on copies in ./tutorials-work/ (gitignored), so running
## them never changes the tracked notebooks/. Your edits there are kept on the next `make lab`
## (refresh one by deleting it). As root, --allow-root is passed for you.
lab: $(BIN)/.installed
	$(BIN)/python -m actorlab.cli tutorial tutorials-work --from notebooks

## Benchmarks (full run; writes a Markdown table to stdout).
bench: $(BIN)/.installed
	$(BIN)/python -m bench

bench-quick: $(BIN)/.installed
	$(BIN)/python -m bench --quick

# Savina S1–S8 and the message-path rows only (~7 min): rewrites that section of bench/RESULTS.md.
bench-savina: $(BIN)/.installed
	$(BIN)/python -m bench --only section --impl actorlab,tuned,pykka,thespian,thread-batch --repeat 3 \
		--out bench/RESULTS.md

## Mutation testing of the core and persistence with mutmut (slow, not in CI; config in
## pyproject.toml [tool.mutmut]). A subset: make mutation ONLY='actorlab.timers*'. Results stay
## in mutants/; `$(VENV_MUT)/bin/mutmut show NAME` shows a survivor.
VENV_MUT := .venv-mutation
$(VENV_MUT)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_MUT)
	$(VENV_MUT)/bin/python -m pip install -q --upgrade pip
	$(VENV_MUT)/bin/python -m pip install -q '.[mutation]'  # not editable: mutmut imports its mutants/ copy
	touch $@

mutation: $(VENV_MUT)/.installed
	$(VENV_MUT)/bin/mutmut run --max-children $(or $(JOBS),2) $(ONLY)
	$(VENV_MUT)/bin/mutmut results

clean:
	rm -rf $(VENV) $(VENV313) $(VENV_IPK6) $(VENV_MUT) mutants .pytest_cache .mypy_cache .ruff_cache

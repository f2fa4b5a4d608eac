# The two commands of the README, and the benchmark. Everything installs into .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: install run test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: install  ## the server on http://127.0.0.1:10010 with demo logs
	$(VENV)/bin/venus serve --demo

test: install  ## the whole test suite
	$(PY) -m pytest

bench: install  ## import 5 M generated lines, run the query suite, print JSON
	@command -v rg >/dev/null || { echo "installing ripgrep (the no-index baseline)"; apt-get install -y -q ripgrep >/dev/null; }
	$(PY) benchmarks/bench.py --lines $${LINES:-5000000}

clean:
	rm -rf $(VENV) bench-data *.egg-info

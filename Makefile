# The two commands of the README, and the benchmark. Everything installs into .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

CONSOLE := venus/console/dist/index.html
WEB_SOURCES := $(shell find web/src -type f) web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json

.PHONY: install run test bench clean chromium report-deps

install: $(VENV)/.installed $(CONSOLE) report-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The web console: TypeScript under web/, built with Vite from the npm registry's packages into
# the Python package, which `venus serve` serves at /.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build

# The browser the console's tests drive: Debian's chromium (no browser is downloaded).
chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium (the console tests' browser)"; \
	  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

# Reports: the fonts their PDFs are set in (Noto CJK, for Chinese) and Pango, which WeasyPrint
# draws with; poppler-utils reads the PDFs back in the tests. From Debian's packages.
REPORT_PACKAGES := fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
report-deps:
	@dpkg -s $(REPORT_PACKAGES) >/dev/null 2>&1 || { echo "installing the reports' fonts and tools (Debian)"; \
	  apt-get install -y -q $(REPORT_PACKAGES) >/dev/null 2>&1 || { apt-get update -q >/dev/null && \
	  apt-get install -y -q $(REPORT_PACKAGES) >/dev/null; }; }

run: install  ## the server on http://127.0.0.1:10010 with demo logs
	$(VENV)/bin/venus serve --demo

test: install chromium  ## the whole test suite
	$(PY) -m pytest

bench: install  ## import 5 M generated lines, run the query suite, print JSON
	@command -v rg >/dev/null || { echo "installing ripgrep (the no-index baseline)"; apt-get install -y -q ripgrep >/dev/null; }
	$(PY) benchmarks/bench.py --lines $${LINES:-5000000}

clean:
	rm -rf $(VENV) bench-data *.egg-info web/node_modules venus/console/dist

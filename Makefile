# The README's two commands: `make demo` and `make test`. Both work on a fresh machine:
# they create .venv, install the project, find or install Chromium and set up the database.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# pytest-xdist processes; each is a test session with its own servers (Prefect, Chromium, ...).
TEST_WORKERS ?= 2

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test install install-dev chromium libreoffice sshd lint pytest clean

demo: install chromium
	$(PY) -m schedcu.demo

test: install-dev chromium libreoffice sshd lint pytest

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Playwright's own Chromium where its download works; otherwise Debian's package. The client
# looks for SCHEDCU_CHROMIUM, then Playwright's browser, then a system chromium.
chromium: | $(PY)
	@if [ -n "$$SCHEDCU_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then \
		echo "Chromium: $${SCHEDCU_CHROMIUM:-$$(command -v chromium)}"; \
	elif $(PY) -m playwright install chromium >/dev/null 2>&1; then \
		echo "Chromium: installed by Playwright"; \
	else \
		echo "Chromium: Playwright's download is unavailable; installing Debian's chromium"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

# Headless LibreOffice for the tests that reopen the .ods reports (required when CI=true), and
# poppler's pdfinfo/pdftotext for the one that reads what LibreOffice prints.
libreoffice:
	@if command -v libreoffice >/dev/null 2>&1; then \
		echo "LibreOffice: $$(command -v libreoffice)"; \
	else \
		echo "LibreOffice: installing Debian's libreoffice-calc-nogui"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	fi
	@if command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then \
		echo "poppler: $$(command -v pdftotext)"; \
	else \
		echo "poppler: installing Debian's poppler-utils"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null; \
	fi

# OpenSSH's server for the SFTP tests (they start their own sshd on a free loopback port).
sshd:
	@if [ -x /usr/sbin/sshd ]; then \
		echo "sshd: /usr/sbin/sshd"; \
	else \
		echo "sshd: installing Debian's openssh-server"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends openssh-server >/dev/null; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# PostgreSQL tests run when a server answers on 127.0.0.1:5432 (required when CI=true).
pytest: install-dev
	@if [ -z "$$SCHEDCU_TEST_POSTGRES_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		export SCHEDCU_TEST_POSTGRES_URL="$(PG_TEST_URL)"; \
	fi; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(VENV) .schedcu .bench .pytest_cache .ruff_cache

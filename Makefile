# Fangkong: `make demo` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo serve test lint bench browser messages clean

$(STAMP): pyproject.toml package.json package-lock.json
	@command -v npm >/dev/null || scripts/install-system-deps.sh npm
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

install: $(STAMP)

demo: install  ## migrate, seed a demo city once, print the accounts, serve on PORT
	$(BIN)/fangkong demo --port $(PORT)

serve: install
	$(BIN)/fangkong serve --port $(PORT)

# The browser tests need Debian's chromium: installed here when missing and we are root; when
# it cannot be (not root, apt fails), pytest still runs and names the browser tests it skipped
# (FANGKONG_REQUIRE_BROWSER=1, as in CI, makes them fail instead).
# The suite runs in TEST_WORKERS processes (pytest-xdist; `auto`: one per core), each with its
# own test database; `make test TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= auto
test: install  ## the whole suite (SQLite unless DATABASE_URL says otherwise), browser tests included
	@[ -x "$${FANGKONG_CHROMIUM:-/usr/bin/chromium}" ] || scripts/install-system-deps.sh browser \
	  || echo "chromium could not be installed: the browser tests will be skipped" >&2
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/fangkong manage makemigrations --check --dry-run
	$(BIN)/mypy
	@out=$$(msgfmt --check --statistics -o /dev/null src/fangkong/locale/zh_Hans/LC_MESSAGES/django.po 2>&1); \
	  echo "zh_Hans: $$out"; if echo "$$out" | grep -qE 'untranslated|fuzzy'; then \
	  echo "translate every message (make messages, then edit the .po)"; exit 1; fi

bench: install  ## benchmarks (registry, ledger import, health, daily counters, read log, daily report and dashboard, supplies, days of cover and donations, lab results, sampling scans, an allocation round, volunteers, help requests, beds, funds on PostgreSQL, then solvers); figures go to docs/benchmarks.md
	@command -v wrk >/dev/null || scripts/install-system-deps.sh wrk
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.ledger
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.health
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.counters
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.access
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.report
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.supplies
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.donations
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.funds
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.screening
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.sampling
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.allocation
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.volunteers
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.assistance
	DATABASE_URL=$${DATABASE_URL:-$$(scripts/ensure-postgres.sh fangkong_bench)} $(BIN)/python -m bench.beds
	$(BIN)/python -m bench.solvers

browser:  ## Debian's chromium, CJK fonts and npm (root)
	scripts/install-system-deps.sh

messages: install  ## refresh the Chinese catalogue after changing user-facing text
	cd src/fangkong && ../../$(BIN)/fangkong manage makemessages -l zh_Hans --no-obsolete --no-location
	cd src/fangkong && ../../$(BIN)/fangkong manage compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) node_modules var .pytest_cache

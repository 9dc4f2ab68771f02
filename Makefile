# Safety Arena — the two commands: `make run` and `make test` (`make check` is the quick inner loop).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8501
HOST   ?= 127.0.0.1

.PHONY: run test check lint typecheck install install-test bench mock clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

# The `arena` command (`arena ARGS` = `python cli.py ARGS`): an editable install of this folder
# without dependencies (they are pinned in requirements.txt); a few seconds.
$(VENV)/.installed-arena: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed $(VENV)/.installed-arena

install-test: $(VENV)/.installed-test $(VENV)/.installed-arena

## Create .venv, install, create the SQLite database with the demo release, serve the app.
run: install
	$(PY) cli.py init
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

## Install the test requirements and run the whole suite, lint and type checks included.
test: install-test lint typecheck
	$(PY) -m pytest

## The inner loop: lint, types and the suite without the slow and the browser tests.
check: install-test lint typecheck
	$(PY) -m pytest -m "not slow and not e2e"

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-test
	$(VENV)/bin/mypy  # the folders: [tool.mypy] files in pyproject.toml

## Benchmarks (by hand, not part of `make test`). Every step runs, even after one fails (a bench
## exits non-zero when it misses its target); the target fails at the end, naming those steps.
BENCH_STEPS = "bench/votes_file.py --quick" "bench/ratings.py --quick" "bench/online.py --quick" \
	"bench/scheduling.py --quick" "-m bench.pipeline" "bench/votes.py --procs 32 --votes 500" \
	"bench/scale.py --quick" "bench/judge_agreement.py" "bench/questions_dedup.py --quick" \
	"bench/queue_active.py"
bench: install-test
	$(PIP) install --quiet --no-deps -r requirements-bench.txt  # arena-rank pins an older numpy; fschat without its serving stack
	@failed=""; for step in $(BENCH_STEPS); do \
		echo "$(PY) $$step"; $(PY) $$step || failed="$$failed [$$step]"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench steps that failed:$$failed"; exit 1; fi

## The offline OpenAI-compatible mock server (demo models + scripted judge) on port 8600, or on
## `make mock PORT=8700`: the demo's mock endpoint files are imported for that port first (their
## base_url reads ${MOCKLLM_PORT:-8600}), so the endpoints and the server agree.
mock: PORT = 8600
mock: install
	MOCKLLM_PORT=$(PORT) $(PY) cli.py endpoints import demo/endpoints.mock.yaml
	MOCKLLM_PORT=$(PORT) $(PY) cli.py endpoints import demo/generator.mock.yaml
	$(PY) -m mockllm --port $(PORT) --demo-dir demo --judge-models mock-judge --generator-models mock-generator

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache safety_arena.egg-info

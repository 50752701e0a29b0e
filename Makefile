# Two commands: `make run` and `make test`. Both bootstrap .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the tests also cover the optional extras: the neural model and Spark training
TEST_EXTRAS := test,neural,spark
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8501

.PHONY: run test lint bench demo-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[$(TEST_EXTRAS)]"
	touch $(TEST_STAMP)

run: $(STAMP)
	$(BIN)/python -m app_ui.serve --server.port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check recsys app_ui app_pages app.py tests benchmarks
	$(BIN)/lint-imports

bench: $(TEST_STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python -m benchmarks.$$(basename $$f .py) || exit 1; done

demo-data: $(STAMP)
	$(BIN)/python -m recsys.data.demo recsys/data/demo_data

clean:
	rm -rf $(VENV) .pytest_cache

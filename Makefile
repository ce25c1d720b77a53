# Two commands on a fresh machine: `make run` and `make test`. Both build .venv from
# the pinned, hashed lock file first (and only again when the lock changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-faults fuzz lint bench schema migrations clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mailroom dev

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The fault tests alone (they also run in `make test`): private servers stopped on purpose.
test-faults: $(STAMP)
	$(BIN)/pytest -q tests/faults $(PYTEST_ARGS)

# The parser's property tests with many more examples than `make test` runs (it runs
# 200); failures are kept in .hypothesis/ and replayed first next time.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests/intake/test_parser_properties.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench tools
	$(BIN)/ruff format --check app tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/mailroom export-schema > schema.graphql

# Regenerate Tortoise migrations after a model change (review the file, then commit).
migrations: $(STAMP)
	$(BIN)/tortoise makemigrations

clean:
	rm -rf $(VENV) var

# leadbook: `make demo` runs the main job end to end, `make test` runs the checks.
# Both create (or reuse) .venv and install the project into it; only python3 is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := demo-out

.PHONY: demo test bench fuzz clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/leadbook new $(OUT)/leads.xlsx --force
	$(BIN)/leadbook new $(OUT)/leads-en.xlsx --lang en --config examples/team.toml --force
	@echo "demo: open $(OUT)/leads.xlsx"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(OUT) test-artifacts bench-out dist build

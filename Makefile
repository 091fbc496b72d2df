# leadbook: `make demo` runs the main job end to end, `make test` runs the checks.
# Both create (or reuse) .venv and install the project into it; only python3 is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := demo-out
# The demo's moment: a Tuesday morning, 1 December (the monthly review of November, the weekly
# one of 23-29 November). Fixed, so that the demo's numbers are the same on every run and day.
AS_OF := 2026-12-01 09:00

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
	$(BIN)/leadbook new $(OUT)/ZH.xlsx --config examples/team.toml --rep '*张' --force
	$(BIN)/leadbook sample $(OUT)/reps --reps 12 --leads 150 --as-of "$(AS_OF)" --force
	@# validate exits 1 when it finds errors (the sample plants some): that is the demo
	$(BIN)/leadbook validate $(OUT)/reps --as-of "$(AS_OF)" --annotate $(OUT)/checked --force \
	  > $(OUT)/validate.txt; \
	  rc=$$?; tail -n 1 $(OUT)/validate.txt; test $$rc -le 1
	$(BIN)/leadbook validate $(OUT)/reps --as-of "$(AS_OF)" --format json > $(OUT)/validate.json; \
	  test $$? -le 1
	$(BIN)/leadbook merge $(OUT)/reps -o $(OUT)/master.xlsx --conflicts $(OUT)/conflicts.xlsx \
	  --as-of "$(AS_OF)" --force
	$(BIN)/leadbook split $(OUT)/master.xlsx -o $(OUT)/back --force
	$(BIN)/leadbook report $(OUT)/master.xlsx --as-of "$(AS_OF)" --html $(OUT)/report.html \
	  --xlsx $(OUT)/summary.xlsx
	@echo "demo: new workbook       $(OUT)/leads.xlsx"
	@echo "demo: a rep's workbook   $(OUT)/ZH.xlsx (IDs EXPO20240521ZH001)"
	@echo "demo: findings           $(OUT)/validate.txt (json: $(OUT)/validate.json)"
	@echo "demo: annotated copies   $(OUT)/checked/"
	@echo "demo: master             $(OUT)/master.xlsx (conflicts: $(OUT)/conflicts.xlsx)"
	@echo "demo: back to the reps   $(OUT)/back/ (one workbook per rep)"
	@echo "demo: report             $(OUT)/report.html"
	@echo "demo: Excel summary      $(OUT)/summary.xlsx"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

fuzz: $(STAMP)
	LEADBOOK_FUZZ_EXAMPLES=500 $(BIN)/python -m pytest -q -m "long or not long" \
	  tests/test_fuzz.py tests/test_hostile.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(OUT) test-artifacts bench-out dist build

# leadbook: `make demo` runs the main job end to end, `make test` runs the checks.
# Both create (or reuse) .venv and install the project into it; only python3 is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := demo-out
TEAM := examples/team.toml
# The demo's moments, fixed so that its numbers are the same on every run and every day: last
# week's hand-in (Friday 27 November, ISO week 48) and this Tuesday morning, 1 December (week
# 49: the monthly review of November, the weekly one of 23-29 November).
LAST := 2026-11-27 18:00
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
	$(BIN)/leadbook new $(OUT)/leads-en.xlsx --lang en --config $(TEAM) --force
	$(BIN)/leadbook new $(OUT)/ZH.xlsx --config $(TEAM) --rep '*张' --force
	@# Last week: three of the team's four reps hand in their workbooks (IDs with their codes)
	$(BIN)/leadbook sample $(OUT)/week48 --config $(TEAM) --reps 3 --leads 200 \
	  --as-of "$(LAST)" --force
	@# validate exits 1 when it finds errors (the sample plants some): that is the demo
	$(BIN)/leadbook validate $(OUT)/week48 --config $(TEAM) --as-of "$(LAST)" \
	  --annotate $(OUT)/checked --force > $(OUT)/validate.txt; \
	  rc=$$?; tail -n 4 $(OUT)/validate.txt; test $$rc -le 1
	$(BIN)/leadbook validate $(OUT)/week48 --config $(TEAM) --as-of "$(LAST)" --format json \
	  > $(OUT)/validate.json; test $$? -le 1
	$(BIN)/leadbook merge $(OUT)/week48 -o $(OUT)/master.xlsx --conflicts $(OUT)/conflicts.xlsx \
	  --history $(OUT)/master.xlsx --config $(TEAM) --as-of "$(LAST)" --force
	@# This week: a trade-fair list assigned to the reps (assign exits 1: a row has no company)
	$(BIN)/leadbook assign examples/new-leads.csv --reps $(OUT)/week48 -o $(OUT)/week49 \
	  --into $(OUT)/master.xlsx --config $(TEAM) --as-of "$(AS_OF)" --force; test $$? -le 1
	$(BIN)/leadbook merge $(OUT)/week49 --into $(OUT)/master.xlsx --config $(TEAM) \
	  --as-of "$(AS_OF)"
	$(BIN)/leadbook split $(OUT)/master.xlsx -o $(OUT)/back --config $(TEAM) --force
	$(BIN)/leadbook history $(OUT)/master.xlsx
	$(BIN)/leadbook report $(OUT)/master.xlsx --config $(TEAM) --as-of "$(AS_OF)" \
	  --html $(OUT)/report.html --xlsx $(OUT)/summary.xlsx
	$(BIN)/leadbook report $(OUT)/master.xlsx --config $(TEAM) --as-of "$(AS_OF)" \
	  --period week --format json > $(OUT)/report-week.json
	@echo "demo: new workbook       $(OUT)/leads.xlsx"
	@echo "demo: a rep's workbook   $(OUT)/ZH.xlsx (IDs EXPO20240521ZH001)"
	@echo "demo: last week's books  $(OUT)/week48/ (three reps; *赵 did not hand in)"
	@echo "demo: findings           $(OUT)/validate.txt (json: $(OUT)/validate.json)"
	@echo "demo: annotated copies   $(OUT)/checked/"
	@echo "demo: master             $(OUT)/master.xlsx (conflicts: $(OUT)/conflicts.xlsx)"
	@echo "demo: new leads assigned $(OUT)/week49/ (who got what: $(OUT)/week49/assignments.csv)"
	@echo "demo: history            $(OUT)/master.history.sqlite (weeks 48 and 49)"
	@echo "demo: back to the reps   $(OUT)/back/ (one workbook per rep)"
	@echo "demo: report             $(OUT)/report.html (json of the week: $(OUT)/report-week.json)"
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

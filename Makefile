# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install browser run run-aws key sync import export invoke bench load lint docs package review review-env test unit api e2e clean

$(STAMP): pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 packages with pip and asks for <26.3
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install (only when pyproject/requirements changed)

# The browser tests drive Debian's chromium through chromium-driver (Selenium)
# and run axe-core (npm) in every page. As root on Debian the packages are
# installed here; elsewhere install them yourself or those tests are skipped
# (outside CI, where they fail instead).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium/chromedriver are not installed: the browser tests will be skipped"; fi; }
	@test -f tests/browser/node_modules/axe-core/axe.min.js || npm ci --prefix tests/browser --no-audit --no-fund --silent

run: install  ## the API on 127.0.0.1:$${PORT:-8000} over an embedded AWS emulation [FRESH=1] [OIDC=1]
	$(BIN)/python -m devtools.local $(if $(FRESH),--fresh) $(if $(OIDC),--oidc)

run-aws: install  ## the API locally, against AWS_ENDPOINT_URL or real AWS
	$(BIN)/python -m devtools.local --aws real

key: install  ## make key ROLE=ivr NAME=ivr-prod: a new API key, shown once
	$(BIN)/python -m devtools.keys --role "$(ROLE)" --name "$(NAME)"

sync: install  ## one pull from the contact center now (CIM_SINCH_* settings)
	$(BIN)/python -m devtools.sync

import: install  ## make import FILE=contacts.csv [MAP="First Name=first_name Internal="] [ARGS="--dry-run"]: stream a CSV in
	$(BIN)/cim import "$(FILE)" $(if $(MAP),--maps "$(MAP)") $(ARGS)

export: install  ## make export OUT=contacts.csv [FORMAT=jsonl] [INCLUDE_PII=1]: personal fields are *** unless asked for
	$(BIN)/cim export --out "$(OUT)" --format "$(or $(FORMAT),csv)" $(if $(INCLUDE_PII),--include-pii) $(if $(EXCEL),--excel)

invoke: install  ## make invoke FN=connect_lookup EVENT=events/connect/flow-lookup.json: one Lambda function, as Connect calls it
	@$(BIN)/python -m devtools.invoke "$(FN)" "$(EVENT)"

bench: install  ## the benchmark suite (not part of `make test`): its table, the bill, partition heat at 10M contacts
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.bill
	$(BIN)/python -m bench.partitions

load: install  ## make load [USERS=20 SECONDS=60] [CIM=<url> KEY=<admin key>]: Locust against make run (or CIM)
	$(BIN)/python -m bench.load --users $(or $(USERS),20) --seconds $(or $(SECONDS),60) $(if $(CIM),--target $(CIM) --key $(KEY))

package: install  ## make package STAGE=prod: build/<stage>/sam and build/<stage>/terraform
	$(BIN)/python -m devtools.package --stage "$(or $(STAGE),dev)"

# checkov in its own environment: its pins (boto3, packaging) would replace
# the project's own. The package tests run it too (devtools/review.py).
REVIEW := .venv-review
$(REVIEW)/.installed-stamp:
	test -x $(REVIEW)/bin/python || $(PYTHON) -m venv $(REVIEW)
	$(REVIEW)/bin/python -m pip install --quiet --no-compile "checkov>=3.2,<4"  # its first run compiles what it uses
	touch $@

review-env: $(REVIEW)/.installed-stamp  ## checkov's own environment (.venv-review)

review: package review-env  ## make review [STAGE=prod]: checkov over both templates (.checkov.yaml says why each skipped rule is)
	$(BIN)/python -m devtools.review --stage "$(or $(STAGE),dev)"

docs: install  ## the reference in docs/ as a site in build/site/ (MkDocs; broken links fail it)
	$(BIN)/mkdocs build --strict --quiet

lint: install
	$(BIN)/ruff check app.py chalicelib devtools tests bench

# Unit and api tests (moto in each process) run on both cores, a file to a
# worker; package builds and e2e servers (timing-sensitive races) run alone.
# Files go out longest first (`pytest.mark.takes`, tests/conftest.py), not
# xdist's most-tests-first, which sent the one-test fuzz file out last.
XDIST := -n 2 --dist loadfile --no-loadscope-reorder
test: install browser lint  ## every test: unit, api, package, e2e
	$(BIN)/python -m pytest $(XDIST) tests/unit tests/api
	$(BIN)/python -m pytest $(XDIST) tests/package tests/e2e

unit: install
	$(BIN)/python -m pytest -n 2 tests/unit

api: install
	$(BIN)/python -m pytest $(XDIST) tests/api

e2e: install browser
	$(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) $(REVIEW) .pytest_cache build *.egg-info

# Local Kafka + Redis for development and tests (see scripts/services.sh).
# `make services-up SERVICE=kafka` acts on one of them only.
SERVICES := bash scripts/services.sh
SERVICE ?=

.PHONY: services-up services-down services-status services-clean

services-up:
	$(SERVICES) up $(SERVICE)

services-down:
	$(SERVICES) down $(SERVICE)

services-status:
	$(SERVICES) status $(SERVICE)

services-clean:
	$(SERVICES) clean $(SERVICE)

# ---------------------------------------------------------------------------
# The two commands of the README, and what they are made of.
.PHONY: setup run test lint unit integration bench lock deps-latest

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint: setup
	bash scripts/lint.sh

unit: setup
	.venv/bin/python -m pytest tests/unit -p no:cacheprovider

integration: setup services-up
	.venv/bin/python -m pytest tests/integration -p no:cacheprovider

# Dependencies: requirements.lock decides what setup installs (see README).
lock: setup
	bash scripts/lock.sh

deps-latest:
	bash scripts/deps-latest.sh

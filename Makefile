# Herald — the two commands: `make dev` and `make test`. Everything else is a building block.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
PY := $(ROOT)/.venv/bin/python
# The local stack is dev (the services default to prod, which refuses dev keys and credentials).
STACK := HERALD_ENVIRONMENT=$${HERALD_ENVIRONMENT:-dev} $(PY) $(ROOT)/tools/dev/stack.py
BUSINESS_ID ?= 1

# The test run uses its own state folder and ports, so it never disturbs a running `make dev`.
# TEST_SLOT (0-9) shifts every test port, so several checkouts can run `make test` side by side.
TEST_SLOT ?= 0
# BENCH_SLOT (0-9, or HERALD_BENCH_SLOT in the environment) does the same for `make bench`.
BENCH_SLOT ?= $(or $(HERALD_BENCH_SLOT),0)
TEST_KAFKA_PORT := $(shell echo $$((29092 + $(TEST_SLOT) * 10)))
TEST_PG_PORT := $(shell echo $$((25432 + $(TEST_SLOT))))
TEST_REDIS_PORT := $(shell echo $$((26379 + $(TEST_SLOT))))
TEST_ENV := HERALD_STATE_DIR=$(ROOT)/.herald/test HERALD_KAFKA_PORT=$(TEST_KAFKA_PORT) \
	HERALD_KAFKA_CONTROLLER_PORT=$(shell echo $$(($(TEST_KAFKA_PORT) + 1))) \
	HERALD_PG_PORT=$(TEST_PG_PORT) HERALD_REDIS_PORT=$(TEST_REDIS_PORT) HERALD_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(TEST_KAFKA_PORT) \
	HERALD_DATABASE_URL=postgresql://postgres@127.0.0.1:$(TEST_PG_PORT)/herald HERALD_REDIS_URL=redis://127.0.0.1:$(TEST_REDIS_PORT)/0 \
	HERALD_PG_FSYNC=off HERALD_ENVIRONMENT=test HERALD_PORT_OFFSET=$(shell echo $$((100 + $(TEST_SLOT) * 200))) HERALD_TEST_SLOT=$(TEST_SLOT) \
	HERALD_RATE_LIMIT_PUBLISH=100000/hour HERALD_RATE_LIMIT_PUBLISH_MULTI=100000/hour HERALD_RATE_LIMIT_SCHEDULE=100000/hour HERALD_RATE_LIMIT_FAILED_AUTH=100000/minute \
	HERALD_TRACE_DIR=$(ROOT)/.herald/test/traces HERALD_KAFKA_LAG_INTERVAL_SECONDS=2

.PHONY: help install dev up down status token test chaos lint typecheck bench infra-up infra-down infra-status clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: ## Install everything (uv, Python packages, redis-server, Kafka jars)
	@tools/bootstrap.sh

dev: install ## Start the whole stack in the foreground; Ctrl-C stops it all
	@$(STACK) dev

up: install ## Start the whole stack in the background
	@$(STACK) up

down: ## Stop the background stack and its infrastructure
	@if [ -x $(PY) ]; then $(STACK) down; else for s in kafka postgres redis; do tools/infra/$$s.sh stop; done; fi

status: ## Each process with its URL and readiness
	@$(STACK) status

token: ## A dev bearer token for the demo business (BUSINESS_ID=2 for the other one)
	@$(STACK) token --business-id $(BUSINESS_ID)

test: install ## Start the test infrastructure, run lint, types and every test, stop what was started
	@$(TEST_ENV) tools/run-tests.sh $(PYTEST_ARGS)

# The chaos run gets the test ports of TEST_SLOT and a state folder of its own.
CHAOS_ENV := $(TEST_ENV) HERALD_STATE_DIR=$(ROOT)/.herald/chaos HERALD_TRACE_DIR=

chaos: install ## Crash every part while posts flow; prove each post reached each platform exactly once (CHAOS_ARGS="--posts 1000 --seed 7")
	@$(CHAOS_ENV) $(PY) tools/chaos/run.py $(CHAOS_ARGS)

lint: install ## ruff (lint and format check)
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

typecheck: install ## mypy over every package
	@.venv/bin/mypy libs/common/src services/*/src tools/platform-emulator/src tools/dev tools/chaos

bench: install ## Start a private Kafka/PostgreSQL/Redis and services (own ports, BENCH_SLOT=0-9), run every benchmark, print tables, stop it all (BENCH_ARGS="--only gateway --keep")
	@HERALD_BENCH_SLOT=$(BENCH_SLOT) $(PY) bench/run.py $(BENCH_ARGS)

infra-up: install ## Start only Kafka, PostgreSQL and Redis (dev ports)
	@for s in kafka postgres redis; do tools/infra/$$s.sh start; done

infra-down: ## Stop Kafka, PostgreSQL and Redis (dev ports)
	@for s in kafka postgres redis; do tools/infra/$$s.sh stop; done

infra-status: ## Whether Kafka, PostgreSQL and Redis (dev ports) are running
	@for s in kafka postgres redis; do tools/infra/$$s.sh status || true; done

clean: down ## Stop everything and delete all local state (.herald)
	@rm -rf .herald

# aews.eks: set-up, demo and tests. `make demo` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCAL_AWS_PORT ?= 4566
export LOCAL_AWS_PORT
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections

.PHONY: help venv local-aws demo test test-unit test-local-aws test-sanity test-lint test-functional build clean bench

help:
	@echo "make demo    the seed cluster against the local AWS endpoint, created then converged with no change"
	@echo "make test    every test: unit, local endpoint, sanity, lint, functional"
	@echo "make venv    the pinned virtual environment in .venv"
	@echo "make bench   site.yml against amazon.aws/community.aws, AWS-like timing, fleets: docs/benchmarks.md"
	@echo "make local-aws   the local AWS endpoint in the foreground on 127.0.0.1:\$$LOCAL_AWS_PORT"

$(VENV)/.installed: requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

local-aws: venv
	MOTO_IAM_LOAD_MANAGED_POLICIES=true $(BIN)/python tests/local_aws/server.py --port $(LOCAL_AWS_PORT)

demo: venv
	$(BIN)/python hack/demo.py

# Not part of make test: minutes of runs whose figures are written to docs/benchmarks.md and docs/benchmarks.png.
bench: venv
	AEWS_BENCH_MAKE=1 $(BIN)/python bench/run.py

test: venv test-unit test-local-aws test-functional test-reliability test-lint test-sanity test-molecule

test-unit: venv
	$(BIN)/python -m pytest -q tests/unit

test-local-aws: venv
	$(BIN)/python -m pytest -q tests/local_aws_tests

test-functional: venv
	$(BIN)/python -m pytest -q -n 3 tests/functional

# Faults, interruption (SIGKILL at 13 points), check mode and drift on the seed cluster (docs/reliability.md).
.PHONY: test-reliability
test-reliability: venv
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -rsxX --durations=0 tests/reliability

test-lint: venv
	hack/lint.sh

.PHONY: test-molecule
test-molecule: venv
	hack/molecule.sh

test-sanity: venv
	hack/sanity.sh

build: venv
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

clean:
	rm -rf build tests/output .pytest_cache

# The two commands a newcomer needs: `make demo` and `make test`. Both set up
# everything first (a virtualenv in .venv with the pinned toolchain).

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: setup generate options golden test check fuzz demo bench reliability clean interop

setup: $(SETUP_STAMP)

$(SETUP_STAMP): tests/requirements.txt tests/constraints.txt plugin/pyproject.toml python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt -c tests/constraints.txt -e plugin -e python
	touch $@

# Messages, type stubs and Nexus modules of the example contracts, into gen/.
# Offline, so buf cannot fetch buf/validate/validate.proto from the BSR: protoc
# compiles proto/ against that file's descriptors (taken from the protovalidate
# wheel) into an image in build/, and buf.gen.yaml generates from the image.
BUILD := build
VALIDATE_SET := $(BUILD)/validate.binpb
IMAGE := $(BUILD)/image.binpb
PROTOS := $(sort $(shell find proto -name '*.proto'))

generate: setup
	$(BIN)/python -m nexusproto.validate_descriptors $(VALIDATE_SET)
	protoc --descriptor_set_in=$(VALIDATE_SET) -Iproto --include_imports --include_source_info \
		--descriptor_set_out=$(IMAGE) $(PROTOS)
	buf generate

# The nexusproto.v1 option module shipped in the runtime package (committed).
# The standard annotations' module is temporalio's (python/src/nexusannotations).
options: setup
	protoc -Iproto --python_out=python/src --mypy_out=python/src nexusproto/v1/options.proto

test: generate
	$(BIN)/python -m pytest tests python/demo/tests

# The fast inner loop, under a minute: lint and type checks of the project's code,
# unit tests, generation tests (golden files, fixtures, generated code linted and
# type-checked) and the bounded property tests. No dev server, no other language.
# The suite is laid out by kind: tests/unit, tests/generation, tests/property,
# tests/e2e (dev server), tests/interop (Go and TypeScript peers).
check: generate
	$(BIN)/python -m pytest tests/unit tests/generation tests/property -q -x

# The property tests of tests/property/test_fuzz.py with thousands of random contracts
# instead of the bounded, repeatable sample `make test` runs (FUZZ_EXAMPLES=N
# sets how many); found failures are kept in .venv/hypothesis and replayed first.
fuzz: generate
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/property/test_fuzz.py -q

golden: generate
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/generation/test_golden.py tests/generation/test_fixtures.py -q -k golden

# Go and TypeScript teams against the generated Python
# code through Nexus endpoints on one dev server; see tests/interop/README.md.
# Without the language's toolchain its tests skip, or fail with NEXUSPROTO_REQUIRE_INTEROP=1.
interop: generate
	$(BIN)/python -m pytest tests/interop


# Two teams, two namespaces, one contract (python/demo/orders_payments): starts a
# local dev server (or uses TEMPORAL_ADDRESS / a TEMPORAL_PROFILE; see the package
# documentation), runs both teams' workers and the order workflow, stops.
demo: generate
	@echo "Generated from proto/ by buf generate:"
	@cd gen && find . -name '*_nexus.py' | sort
	@echo
	PYTHONPATH="$(CURDIR)/gen:$(CURDIR)/python/demo" $(BIN)/python -m orders_payments

# Benchmarks (not part of `make test`): generation speed against protoc --python_out
# and mypy-protobuf on synthetic trees, runtime overhead against the raw SDK through
# a local dev server. Prints the report and rewrites BENCHMARKS.md with it. About ten
# minutes on two cores; tests/bench/run.py lists the knobs (BENCH_REPEATS, ...).
bench: generate
	$(BIN)/python tests/bench/run.py

# Crashes, restarts, load, cancellation and hostile payloads against the generated
# code (tests/reliability): every scenario at full size, in at most ten minutes on
# two cores. Prints the report and rewrites RELIABILITY.md with it. Reduced
# versions of the same scenarios run in `make test`.
reliability: generate
	$(BIN)/python tests/reliability/run.py

clean:
	rm -rf $(VENV) gen $(BUILD)

# Thin wrapper around CMake: `make run` and `make test` install what is missing,
# configure, build, then run the main job or the test suite.
SHELL      := /bin/bash
BUILD      ?= build
BUILD_TYPE ?= Release
NP         ?= 2
SCALE      ?= 18
CMAKE_ARGS ?=
GEN        := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
BIN        := $(BUILD)/apps/amls-graph

# Open MPI as root, oversubscription allowed (and known to Open MPI), one BLAS thread per rank.
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OPENBLAS_NUM_THREADS=1

.PHONY: all deps configure build run test test-slurm format format-check clean

all: build

deps:
	@sh cmake/install-deps.sh

$(BUILD)/CMakeCache.txt:
	@sh cmake/install-deps.sh
	cmake -S . -B $(BUILD) $(GEN) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a Kronecker graph (Graph500 parameters, scale $(SCALE)) generated in
# parallel, then PageRank on it at $(NP) ranks with the vertex engine.
run: build
	mpirun -np $(NP) $(BIN) pagerank --input gen:kron:scale=$(SCALE),edge-factor=16,seed=1 \
	    --partition hash --iterations 20 --top 10

# The whole suite, then a summary: passed, failed and skipped counted apart, and the reason
# each skipped test gave (tests/summary.py).
test: build
	@start=$$(date +%s); cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 \
	    --output-junit $(abspath $(BUILD))/ctest-junit.xml; \
	python3 $(CURDIR)/tests/summary.py $(abspath $(BUILD))/ctest-junit.xml $$(( $$(date +%s) - start ))

test-slurm: build
	cd $(BUILD) && ctest --output-on-failure -L slurm

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

# InfoPlane — the two commands of README:
#   make run    set up, build, and run the default experiment (Fashion-MNIST h64, offline):
#               train and measure the Sliced Information Plane on one MPI rank per core
#   make test   set up, build, and run the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := run

# MPI as root (CI, containers), one BLAS thread per process (MPI ranks share the cores).
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OPENBLAS_NUM_THREADS := 1
export INFOPLANE_PYTHON := $(CURDIR)/.venv/bin/python

CONFIG ?= configs/fashion-h64.yaml
# MPI ranks for `make run` and the pipeline benchmark: one per core.
NP ?= $(shell nproc)
BIN := .build/release/infoplane

# The run directory of CONFIG (configs name their runs after the file).
RUN_DIR ?= runs/$(basename $(notdir $(CONFIG)))

.PHONY: setup build run plots test cnn bench-cnn bench-training bench-estimators bench-pipeline bench-accuracy ensemble redundancy memorisation stopping tishby regression pca clean

setup:
	@bash .ci/setup.sh

build: setup
	swift build -c release --product infoplane

run: build
	mpirun -np $(NP) --oversubscribe $(BIN) run $(CONFIG) --resume
	@$(MAKE) --no-print-directory plots

plots: setup
	.venv/bin/python -m infoplane.plots all $(RUN_DIR)

# The Python tests run after the build: the recorder's tests analyse with the debug binary.
test: setup
	python3 .ci/check-links.py
	swift build --build-tests
	INFOPLANE_BIN=$(CURDIR)/.build/debug/infoplane .venv/bin/python -m pytest -q -p no:cacheprovider analysis/tests
	swift test --skip-build --parallel

# The convolutional network of issue 13 (docs/experiments.md "A convolutional network"):
# conv16-pool-conv32-pool-dense128 on Fashion-MNIST, trained and measured on NP ranks
# (run.h5 records conv1, pool1, conv2, pool2, dense1), then its plane figure
# → runs/fashion-cnn/{run.h5, plane.h5, plane.csv, plane.png}. CNN_CONFIG=configs/mnist-cnn.yaml for MNIST.
CNN_CONFIG ?= configs/fashion-cnn.yaml
cnn: build
	mpirun -np $(NP) --oversubscribe $(BIN) run $(CNN_CONFIG) --resume
	.venv/bin/python -m infoplane.plots plane runs/$(basename $(notdir $(CNN_CONFIG)))

# CNN training throughput against PyTorch on CPU, same network, batch and one thread, in the same
# run (docs/benchmarks.md); torch from TORCH_PYTHON (default .venv/bin/python).
bench-cnn: build
	@bash analysis/reference/bench_cnn.sh $(BIN)

bench-training: build
	@bash analysis/reference/bench_training.sh $(BIN)

bench-estimators: build
	$(BIN) bench estimators --sizes 1000,10000,100000 --repeats 3

# COMPARE=/path/to/other/infoplane times that build too, alternating, RUNS times each.
RUNS ?= 3
bench-pipeline: build
	.venv/bin/python analysis/reference/bench_pipeline.py --bin $(BIN) --config $(CONFIG) --ranks $(NP) \
	  $(if $(COMPARE),--compare $(COMPARE) --runs $(RUNS) --run-only)

# Issue 6's classic experiments: each runs its config and draws its figure.
ensemble: build
	mpirun -np $(NP) --oversubscribe $(BIN) run configs/ensemble-h64.yaml --resume
	.venv/bin/python -m infoplane.plots ensemble runs/ensemble-h64

# Redundancy of label information, h32 against h64 (docs/experiments.md): both runs (reused if present),
# redundancy.h5 of each, then the side-by-side figure.
redundancy: build
	for c in fashion-h32 fashion-h64; do \
	  mpirun -np $(NP) --oversubscribe $(BIN) run configs/$$c.yaml --resume && \
	  mpirun -np $(NP) --oversubscribe $(BIN) redundancy runs/$$c/run.h5 --config configs/redundancy.yaml --force || exit 1; \
	done
	.venv/bin/python -m infoplane.plots redundancy runs/fashion-h32 runs/fashion-h64 --out runs/redundancy-h32-vs-h64

# Label-noise memorisation (docs/experiments.md "Label noise: memorisation"): Fashion-MNIST h64 on
# 4,000 training images with a fraction p of their labels random, for each p (runs reused if
# present); S1(T;Y) on the noisy and the clean training rows (memorisation.h5), then one figure.
MEMORISATION_NOISE ?= 0 0.2 0.4 0.6 0.8
memorisation: build
	@for p in $(MEMORISATION_NOISE); do \
	  $(BIN) train configs/memorisation.yaml --set dataset.label_noise=$$p --out runs/memorisation-p$$p --resume --quiet && \
	  mpirun -np $(NP) --oversubscribe $(BIN) memorisation runs/memorisation-p$$p/run.h5 --force --quiet || exit 1; \
	done
	.venv/bin/python -m infoplane.plots memorisation $(addprefix runs/memorisation-p,$(MEMORISATION_NOISE)) --out runs/memorisation

# Known-MI benchmark (docs/experiments.md "Known-MI benchmark"): full KSG and sliced MI against closed forms.
bench-accuracy: build
	$(BIN) bench accuracy --config configs/bench-accuracy.yaml --out runs/bench-accuracy
	.venv/bin/python -m infoplane.plots accuracy runs/bench-accuracy

# The information-based stopping rule (docs/experiments.md): Fashion-MNIST h64 trained
# until J = S1(T;Y) − β·S1(X;T) of its last layer stops improving, and the figure of the decision.
stopping: build
	$(BIN) train configs/stopping.yaml --resume
	.venv/bin/python -m infoplane.plots stopping runs/stopping

# Tishby's 12-bit task, tanh and ReLU (docs/experiments.md): train and measure the sliced
# plane on NP ranks, then the binning and KDE planes, then one three-panel figure per run
# → runs/tishby-{tanh,relu}/{run.h5, plane.h5, plane-binning.h5, plane-kde.h5, classic.png}.
tishby: build
	@for name in tishby-tanh tishby-relu; do \
	  mpirun -np $(NP) --oversubscribe $(BIN) run configs/$$name.yaml --resume && \
	  $(BIN) analyze runs/$$name/run.h5 --method binning --force && \
	  $(BIN) analyze runs/$$name/run.h5 --method kde --force && \
	  .venv/bin/python -m infoplane.plots classic runs/$$name --dpi 80 || exit 1; \
	done

# Regression targets (docs/experiments.md): train and measure configs/regression.yaml,
# then its plane and its signal-against-baseline figure (small copies in docs/).
regression: build
	mpirun -np $(NP) --oversubscribe $(BIN) run configs/regression.yaml --resume
	.venv/bin/python -m infoplane.plots plane runs/regression
	.venv/bin/python -m infoplane.plots baseline runs/regression

# Issue 17 (docs/experiments.md "PCA-compressed and epoch-pooled planes"): on the Fashion-MNIST h64
# run (trained and measured first if missing), the plane of each side compressed to its top
# COMPONENTS principal components and the sliced plane pooled over POOL consecutive snapshots,
# then their figures beside the sliced plane → runs/fashion-h64/{plane-pca.h5, plane-pool3.h5, pca.png, pooled.png}.
COMPONENTS ?= 2
POOL ?= 3
pca: build
	mpirun -np $(NP) --oversubscribe $(BIN) run configs/fashion-h64.yaml --resume
	$(BIN) analyze runs/fashion-h64/run.h5 --method pca --components $(COMPONENTS) --force
	mpirun -np $(NP) --oversubscribe $(BIN) analyze runs/fashion-h64/run.h5 --pool-epochs $(POOL) --resume
	.venv/bin/python -m infoplane.plots pca runs/fashion-h64
	.venv/bin/python -m infoplane.plots pooled runs/fashion-h64 --window $(POOL)

clean:
	rm -rf .build runs

# lockstep — two commands on a fresh machine: `make run` (train the default config) and `make test`.
# Every target installs what is missing first (Debian packages, MPJ jar into the local Maven repo).
SHELL := /bin/bash
MVN ?= mvn -q -B
NP ?= 2
CONFIG ?= configs/fashion-mnist-mlp.yaml
APT_PACKAGES := libmpj-java dataset-fashion-mnist fortunes
MPJ_JAR := /usr/share/java/mpj.jar
M2_MPJ := $(HOME)/.m2/repository/mpjexpress/mpj/0.44/mpj-0.44.jar

.PHONY: deps build run test bench bench-train bench-allreduce bench-checkpointing bench-async bench-compression bench-cnn clean

deps: $(M2_MPJ)

# Debian packages: MPJ Express 0.44, Fashion-MNIST and fortunes (text for the language model). apt only when one is missing.
/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz /usr/share/games/fortunes/fortunes $(MPJ_JAR):
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# MPJ Express is not on Maven Central: install Debian's jar under fixed coordinates.
$(M2_MPJ): $(MPJ_JAR) /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz /usr/share/games/fortunes/fortunes
	mvn -q -B install:install-file -Dfile=$(MPJ_JAR) -DgroupId=mpjexpress -DartifactId=mpj \
	  -Dversion=0.44 -Dpackaging=jar -DgeneratePom=true

target/lockstep.jar: deps pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

build: target/lockstep.jar

run: build
	bin/lockstep train -c $(CONFIG) --np $(NP)

test: deps
	mvn -B verify

bench: build
	bench/train-throughput.sh

# Gradient checkpointing: activation MiB, peak RSS, ms/step for segments 0, 2, 4, auto on a deep MLP
# (784 → 2048×16 → 10, batch 256, 1 rank). BENCH_ARGS="--hidden 1024" for a smaller one.
bench-checkpointing: build
	bin/lockstep bench checkpointing $(BENCH_ARGS)

clean:
	mvn -q -B clean

# Allreduce micro-benchmark: median ms and GB/s per algorithm (NP ranks, DEV multicore|niodev).
DEV ?= multicore
SIZES ?= 4K,256K,4M,7.1M,64M
bench-allreduce: build
	bin/lockstep bench allreduce --np $(NP) --dev $(DEV) --sizes $(SIZES)

# CNN benchmark: configs/fashion-mnist-cnn.yaml np=2 samples/s vs PyTorch DDP (gloo), then its full run's test
# accuracy and wall time; and checkpointing overhead on an 8-conv-layer CNN.
bench-cnn: build
	bench/cnn-throughput.sh
	bin/lockstep bench checkpointing --model cnn --segments 0,2,auto

# Straggler benchmark: sync vs async (each algorithm) vs auto, np=2, rank 1 slowed 3x and no straggler.
bench-async: build
	bench/async-straggler.sh

# Compressed gradients (bf16/fp16) and gradient accumulation across two namespace hosts (root): allreduce 4M/64M,
# default MLP samples/s and accuracy, accumulate_steps 4 vs 1 (RATE=1gbit shapes the link like a real NIC); then the
# MLP's test accuracy with none/bf16/fp16 over 4 seeds. Timings:
# run it as flock /tmp/lockstep-heavy.lock make bench-compression.
RATE ?=
bench-compression: build
	RATE=$(RATE) bench/compression-cluster.sh
	bench/compression-accuracy.sh

#!/usr/bin/env bash
# Run ON THE ACCELERATOR MACHINE from the repository root, with .gpu/ carried (bench/gpu-prepare.sh fills it on
# the build machine). No Java or Maven there: .gpu/device-env.sh unpacks the carried JRE.
#   bash bench/gpu-check.sh [all|tests|bench] [bench args: steps warmup batches]
# Logs go to $OUT (the device tool's folder; ./gpu-out when unset): env.log, gpu-tests.log, junit/*.xml, bench.log.
# The GPU tests run with -Dlockstep.requireGpu=true: without a usable GPU they fail instead of skipping.
set -uo pipefail
what=${1:-all}
shift || true
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
. .gpu/device-env.sh
CP=".gpu/classes:.gpu/test-classes:.gpu/lib/*"

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "nvidia-smi not found"
  java -version 2>&1
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
} | tee "$OUT/env.log"

tests_rc=0
bench_rc=0
if [ "$what" = all ] || [ "$what" = tests ]; then
  echo "== GPU tests"
  start=$(date +%s)
  timeout 300 java -Xmx8g -Dlockstep.requireGpu=true -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
    --select-package=dev.lockstep --include-classname='^dev\.lockstep\..*\.Cuda.*Test$' \
    --include-tag=gpu --reports-dir="$OUT/junit" \
    > "$OUT/gpu-tests.log" 2>&1
  tests_rc=$?
  grep -E 'max scaled error|tests (found|successful|failed|aborted|skipped)|containers (failed|aborted)|✘' \
    "$OUT/gpu-tests.log" | head -80
  echo "GPU tests exit code $tests_rc in $(( $(date +%s) - start )) s (full log: gpu-tests.log)"
fi
if [ "$what" = all ] || [ "$what" = bench ]; then
  echo "== CudaStepBench"
  timeout 150 java -Xmx8g -cp "$CP" dev.lockstep.tensor.CudaStepBench "$@" 2>&1 | tee "$OUT/bench.log"
  bench_rc=${PIPESTATUS[0]}
  echo "CudaStepBench exit code $bench_rc"
fi
[ "$tests_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ]

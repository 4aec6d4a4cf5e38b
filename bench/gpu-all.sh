#!/usr/bin/env bash
# ON THE ACCELERATOR MACHINE, from the repository root, after bench/gpu-all-prepare.sh here (carry: [".gpu"],
# timeout_s 540). Builds nothing. Everything goes under $OUT (./gpu-out when unset); summary.txt lists each part's
# exit code, table.txt is the issue-16 table. About 6 minutes on an H100/H200; each part has its own time limit so
# that the whole stays under 8 minutes:
#   1 GPU tests (@Tag("gpu"), -Dlockstep.requireGpu=true)               gpu-tests.log, junit/
#   2 CudaStepBench (the backend's own step) + PyTorch baseline          bench.log, torch.log
#   3 `lockstep train` np=1, batch 128/1024/8192, FP32 and TF32; np=2 on one GPU (sync)   runs/, table.txt
#   4 300-step loss curve CUDA vs CPU through `train`                   curve.txt
#   5 char LM: CUDA vs CPU first 50 losses and samples/s                lm.txt
#   6 parameter_server and local_sgd on CUDA (np=2), doctor            *.log
# Usage: bash bench/gpu-all.sh [parts, e.g. "1 3"] (default: all)
set -uo pipefail
parts=${1:-"1 2 3 4 5 6"}
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT/runs"
. bench/gpu-env.sh
export MPJ_HOME=$PWD/.gpu/mpj-home
APP=".gpu/lockstep.jar:.gpu/lib/*"
started=$(date +%s)
: > "$OUT/summary.txt"

lockstep() { java -cp "$APP" dev.lockstep.Main "$@"; }
part() { [[ " $parts " == *" $1 "* ]]; }
# run NAME LIMIT_S COMMAND...: output to $OUT/NAME.log, exit code and seconds to summary.txt
# Past BUDGET_S seconds in all, later parts are skipped (and say so), so the script ends within 8 minutes.
BUDGET_S=${BUDGET_S:-450}
run() {
  local name=$1 limit=$2; shift 2
  local t0=$(date +%s) left=$(( BUDGET_S - ($(date +%s) - started) ))
  if [ "$left" -le 10 ]; then
    printf '%-28s skipped: the %d s budget is spent\n' "$name" "$BUDGET_S" | tee -a "$OUT/summary.txt"
    return 124
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  timeout "$limit" bash -c '"$@"' run "$@" > "$OUT/$name.log" 2>&1 # bash -c: timeout cannot run a function
  local rc=$?
  printf '%-28s exit %3d  %4d s\n' "$name" "$rc" $(( $(date +%s) - t0 )) | tee -a "$OUT/summary.txt"
  return $rc
}
mlp() { # RUN_NAME [--set ...]: the MLP through the launcher, on the GPU unless a --set says otherwise
  local name=$1; shift
  lockstep train -c bench/configs/mlp-step-bench.yaml --set run.out_dir="$OUT/runs" --set run.name="$name" \
    --set backend.device=cuda "$@"
}

export APP OUT MPJ_HOME
export -f lockstep mlp

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "no nvidia-smi"
  java -version 2>&1
  python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda)' 2>&1
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "libnccl: $(find /usr /opt /lib /lib64 -name 'libnccl.so*' 2>/dev/null | head -3 | tr '\n' ' ')"
  nproc
} > "$OUT/env.log" 2>&1
cat "$OUT/env.log"

if part 1; then
  run gpu-tests 200 java -Xmx16g -Dlockstep.requireGpu=true \
    -cp ".gpu/test-classes:.gpu/lockstep.jar:.gpu/lib/*:.gpu/testlib/*" org.junit.platform.console.ConsoleLauncher \
    execute --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests --select-package=dev.lockstep \
    --include-classname='^dev\.lockstep\..*\.Cuda.*Test$' --include-tag=gpu --reports-dir="$OUT/junit"
  grep -E 'max scaled error|worst relative|tests (successful|failed|aborted|skipped)|✘' "$OUT/gpu-tests.log" | head -40
fi

if part 2; then
  run backend-bench 70 java -Xmx8g -cp ".gpu/test-classes:.gpu/lockstep.jar:.gpu/lib/*" \
    dev.lockstep.tensor.CudaStepBench
  cp "$OUT/backend-bench.log" "$OUT/bench.log"
  run torch 100 python3 bench/torch_mlp_baseline.py
  cp "$OUT/torch.log" "$OUT/torch-baseline.log"
fi

if part 3; then
  for mode in fp32 tf32; do
    tf32=false; [ "$mode" = tf32 ] && tf32=true
    for b in 128 1024 8192; do
      steps=300; [ "$b" = 8192 ] && steps=150
      run "np1-b$b-$mode" 50 mlp "np1-b$b-$mode" --np 1 --set data.batch_size=$b --set backend.tf32=$tf32 \
        --set run.max_steps=$steps
    done
  done
  run np2-b1024-fp32 60 mlp np2-b1024-fp32 --np 2 --set data.batch_size=1024 --set run.max_steps=200
  python3 bench/train_step_table.py "$OUT"/runs/np1-b*-fp32 "$OUT"/runs/np1-b*-tf32 "$OUT"/runs/np2-b1024-fp32 \
    --torch "$OUT/torch-baseline.log" --backend-bench "$OUT/bench.log" 2>&1 | tee "$OUT/table.txt"
  grep -h "cuda graphs\|lockstep:" "$OUT"/np1-b128-fp32.log | head -3
fi

if part 4; then
  for dev in cpu cuda; do
    run "curve-$dev" 90 mlp "curve-$dev" --np 1 --set backend.device=$dev --set data.batch_size=128 \
      --set run.max_steps=300 --set output.log_every=1
  done
  python3 bench/compare_losses.py "$OUT/runs/curve-cpu" "$OUT/runs/curve-cuda" --tol 2e-4 2>&1 | tee "$OUT/curve.txt"
fi

if part 5; then
  for dev in cpu cuda; do
    run "lm-$dev-b32" 120 lockstep train -c configs/fortunes-char-lm.yaml --np 1 --set data.path="$PWD/.gpu/text" \
      --set backend.device=$dev --set run.max_steps=60 --set output.log_every=1 --set run.out_dir="$OUT/runs" \
      --set run.name="lm-$dev-b32"
  done
  {
    python3 bench/compare_losses.py "$OUT/runs/lm-cpu-b32" "$OUT/runs/lm-cuda-b32" --steps 50 --tol 1e-3
    python3 bench/train_step_table.py "$OUT/runs/lm-cpu-b32" "$OUT/runs/lm-cuda-b32" --skip 10
  } 2>&1 | tee "$OUT/lm.txt"
fi

if part 6; then
  run ps-cuda-np2 90 mlp ps-cuda-np2 --np 2 --set data.batch_size=256 --set run.max_steps=200 \
    --set update.mode=async --set update.async.algorithm=parameter_server
  run local-sgd-cuda-np2 90 mlp local-sgd-cuda-np2 --np 2 --set data.batch_size=256 --set run.max_steps=200 \
    --set update.mode=async --set update.async.algorithm=local_sgd
  run doctor 30 lockstep doctor
  tail -n 3 "$OUT/ps-cuda-np2.log" "$OUT/local-sgd-cuda-np2.log" 2>/dev/null
fi

echo "gpu-all: $(( $(date +%s) - started )) s in all; parts: $parts" | tee -a "$OUT/summary.txt"
! grep -qv ' exit   0 \|gpu-all:' "$OUT/summary.txt" # any failed or skipped part: exit 1

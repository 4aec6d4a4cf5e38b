#!/usr/bin/env bash
# Straggler benchmark (not a test): np=2 multicore, the shipped MLP 784→1024→1024→10, batch 128 per rank, one BLAS
# thread per rank, SGD momentum at lr 0.001 (so that 0.80 takes a few hundred samples-steps, not one epoch), on a
# 6000-sample Fashion-MNIST subset (23 sync steps per epoch: evaluations come often) with 2000 test samples.
# For sync, async (parameter_server; local_sgd) and auto (falling back to each): samples/s and the time until test
# accuracy first reaches TARGET — wall time, and training time (wall time without the evaluations, which take a
# large share of these short epochs) — with rank 1 slowed FACTOR× and with no straggler. Every run is repeated REPS times
# in turn (runs of one setting do not sit next to each other, so a burst of load hits all settings alike); the
# table shows medians. Every other setting is the shipped config's.
# Usage: bench/async-straggler.sh [REPS] [EPOCHS] [FACTOR] [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
epochs=${2:-10}
factor=${3:-3}
target=${4:-0.80}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name straggler(0|1) mode-sets...
  local name=$1 slow=$2; shift 2
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  if [ "$slow" = 1 ]; then sets+=(--set "simulate.slow_ranks=[{rank: 1, factor: $factor}]"); fi
  bin/lockstep train -c configs/fashion-mnist-mlp.yaml --np 2 --set backend.threads=1 --set optimizer.lr=0.001 \
    --set data.limit_train=6000 --set data.limit_test=2000 --set data.batch_size=128 --set run.epochs="$epochs" \
    --set output.log_every=100000 --set run.out_dir="$out" --set run.name="$name" "${sets[@]}" >/dev/null
}

modes=(sync ps local auto-local auto-ps)
sets_of() {
  case $1 in
    sync) echo "update.mode=sync" ;;
    ps) echo "update.mode=async update.async.algorithm=parameter_server" ;;
    local) echo "update.mode=async update.async.algorithm=local_sgd" ;;
    auto-local) echo "update.mode=auto update.async.algorithm=local_sgd" ;;
    auto-ps) echo "update.mode=auto update.async.algorithm=parameter_server" ;;
  esac
}
bin/lockstep --version >/dev/null # builds the jar once, outside the timings
for rep in $(seq 1 "$reps"); do
  for slow in 1 0; do
    for m in "${modes[@]}"; do
      # shellcheck disable=SC2046
      run "$m-$slow-$rep" "$slow" $(sets_of "$m")
    done
  done
done

python3 - "$out" "$target" "$factor" "$reps" <<'PY'
import json, sys, pathlib, os, statistics
out, target, factor, reps = pathlib.Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
labels = {"sync": "sync", "ps": "async parameter_server", "local": "async local_sgd",
          "auto-local": "auto (local_sgd)", "auto-ps": "auto (parameter_server)"}
inf = float("inf")
print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min); medians of {reps} runs")
print(f"{'straggler':<10} {'mode':<24} {'samples/s':>10} {'wall s':>7} {'vs sync':>8} {'train s':>8} {'vs sync':>8} "
      f"{'final acc':>10} {'switches':>9}")
for slow in (1, 0):
    base = None
    for name, label in labels.items():
        sps, wall, train, acc, sw = [], [], [], [], []
        for rep in range(1, reps + 1):
            d = out / f"{name}-{slow}-{rep}"
            s = json.loads((d / "summary.json").read_text())
            sps.append(s["samples_per_s"]); acc.append(s.get("test_accuracy", float("nan")))
            sw.append(len(s.get("update", {}).get("switches", [])))
            w = t = inf
            for line in (d / "metrics.jsonl").read_text().splitlines():
                r = json.loads(line)
                if r["kind"] == "eval" and r["test_accuracy"] >= target:
                    w, t = r["elapsed_s"], r["train_s"]; break
            wall.append(w); train.append(t)
        w, t = statistics.median(wall), statistics.median(train)
        if name == "sync":
            base = (w, t)
        def ratio(x, b):
            return f"{x / b:.2f}x" if x < inf and b < inf else "-"
        def secs(x):
            return f"{x:.1f}" if x < inf else "never"
        switches = statistics.median(sw) if name.startswith("auto") else "-"
        print(f"{(factor + 'x rank 1') if slow else 'none':<10} {label:<24} {statistics.median(sps):>10.0f} "
              f"{secs(w):>7} {ratio(w, base[0]):>8} {secs(t):>8} {ratio(t, base[1]):>8} "
              f"{statistics.median(acc):>10.4f} {switches:>9}")
print(f"wall s / train s: median seconds until test accuracy first reached {target} (wall: since training started;")
print("train: the same without the evaluations); 'vs sync' = / sync's median in the same straggler setting")
PY

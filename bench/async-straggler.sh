#!/usr/bin/env bash
# Straggler benchmark (not a test): np=2 multicore, MLP 784→256→10 on a 12000-sample Fashion-MNIST subset, batch 64
# per rank, test accuracy after every epoch. For sync, async (parameter_server; local_sgd averaging every 200 ms)
# and auto (parameter_server fallback): samples/s and wall time until test accuracy first reaches TARGET, with
# rank 1 slowed FACTOR× and with no straggler. One run each: on a shared machine, rerun it when the machine is quiet.
# Usage: bench/async-straggler.sh [EPOCHS] [FACTOR] [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-6}
factor=${2:-3}
target=${3:-0.80}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name straggler(0|1) mode-sets...
  local name=$1 slow=$2; shift 2
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  if [ "$slow" = 1 ]; then sets+=(--set "simulate.slow_ranks=[{rank: 1, factor: $factor}]"); fi
  bin/lockstep train -c configs/fashion-mnist-mlp.yaml --np 2 --set backend.threads=1 \
    --set 'model.layers=[{type: linear, units: 256}, {type: relu}, {type: linear, units: 10}]' \
    --set data.limit_train=12000 --set data.limit_test=5000 --set data.batch_size=64 --set run.epochs="$epochs" \
    --set output.log_every=100000 --set run.out_dir="$out" --set run.name="$name" "${sets[@]}" >/dev/null
}

for slow in 1 0; do
  run sync-$slow $slow update.mode=sync
  run ps-$slow $slow update.mode=async update.async.algorithm=parameter_server
  run local-$slow $slow update.mode=async update.async.algorithm=local_sgd update.async.period_ms=200
  run auto-$slow $slow update.mode=auto
done

python3 - "$out" "$target" "$factor" <<'PY'
import json, sys, pathlib, os
out, target, factor = pathlib.Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min)")
print(f"{'straggler':<12} {'mode':<22} {'samples/s':>10} {'s to ' + str(target):>9} {'vs sync':>8} {'final acc':>10} {'switches':>9}")
for slow in (1, 0):
    base = None
    for name, label in (("sync", "sync"), ("ps", "async parameter_server"), ("local", "async local_sgd 200ms"),
                        ("auto", "auto")):
        d = out / f"{name}-{slow}"
        s = json.loads((d / "summary.json").read_text())
        t = None
        for line in (d / "metrics.jsonl").read_text().splitlines():
            r = json.loads(line)
            if r["kind"] == "eval" and r["test_accuracy"] >= target:
                t = r["elapsed_s"]; break
        if name == "sync":
            base = t
        ratio = f"{t / base:.2f}x" if t and base else "-"
        sw = len(s.get("update", {}).get("switches", [])) if name == "auto" else "-"
        print(f"{(factor + 'x rank 1') if slow else 'none':<12} {label:<22} {s['samples_per_s']:>10.0f} "
              f"{(f'{t:.1f}' if t else 'never'):>9} {ratio:>8} {s.get('test_accuracy', float('nan')):>10.4f} {sw:>9}")
print("one run each; 'vs sync' = time to target / sync's time in the same straggler setting")
PY

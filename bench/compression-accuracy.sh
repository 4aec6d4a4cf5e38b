#!/usr/bin/env bash
# Test accuracy of the default MLP (configs/fashion-mnist-mlp.yaml, 2 epochs, np=2) with comm.compression none,
# bf16 and fp16 over several seeds (not a test). Runs on one host (multicore): the compressed allreduce computes the
# same bits on one host as across hosts (README, "Compressed gradients"), so the accuracies are those of a cluster run.
# Usage: bench/compression-accuracy.sh [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-4}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for seed in $(seq "$seeds"); do
  for c in none bf16 fp16; do
    bin/lockstep train -c configs/fashion-mnist-mlp.yaml --np 2 -q --set run.seed="$seed" \
      --set comm.compression="$c" --set run.out_dir="$out" --set run.name="$c-$seed" >/dev/null
  done
done
python3 - "$out" "$seeds" <<'PY'
import json, statistics, sys, pathlib
out, seeds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
acc = {c: [json.loads((out / f"{c}-{s}" / "summary.json").read_text())["test_accuracy"] for s in range(1, seeds + 1)]
       for c in ("none", "bf16", "fp16")}
print(f"default MLP, np=2, 2 epochs; test accuracy per seed 1..{seeds}")
print(f"{'compression':<12} {'mean':>7} " + " ".join(f"{'seed ' + str(s):>8}" for s in range(1, seeds + 1))
      + f" {'mean diff vs none (points)':>27}")
for c, a in acc.items():
    diff = statistics.mean(100 * (x - y) for x, y in zip(a, acc["none"]))
    print(f"{c:<12} {statistics.mean(a):>7.4f} " + " ".join(f"{x:>8.4f}" for x in a) + f" {diff:>+27.2f}")
PY

#!/usr/bin/env bash
# Training throughput benchmark (not a test): MLP 784→1024→1024→10, batch 128 per rank, cross-entropy, SGD,
# np=1 (2 BLAS threads) vs np=2 (1 thread each). Prints a table of medians over REPEATS runs.
# Usage: bench/train-throughput.sh [STEPS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
repeats=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # np threads name
  bin/lockstep train -c configs/fashion-mnist-mlp.yaml --np "$1" \
    --set backend.threads="$2" --set run.max_steps="$steps" --set run.epochs=1 \
    --set output.eval_each_epoch=false --set run.out_dir="$out" --set run.name="$3" \
    --set output.log_every=100000 >/dev/null
}

for r in $(seq "$repeats"); do
  run 1 2 np1-$r
  run 2 1 np2-$r
done

python3 - "$out" "$repeats" <<'PY'
import json, statistics, sys, pathlib
out, repeats = pathlib.Path(sys.argv[1]), int(sys.argv[2])
print(f"{'config':<22} {'samples/s':>10} {'ms/step':>9} {'allreduce share':>16} {'(runs)':>7}")
for np_, label in ((1, "np=1, 2 threads"), (2, "np=2, 1 thread each")):
    sps, ms, share = [], [], []
    for r in range(1, repeats + 1):
        s = json.loads((out / f"np{np_}-{r}" / "summary.json").read_text())
        sps.append(s["samples_per_s"]); ms.append(1000 * s["train_seconds"] / s["steps"])
        ranks = s["per_rank"]
        share.append(statistics.mean((p["communication_s"] + p["wait_s"]) / s["train_seconds"] for p in ranks))
    print(f"{label:<22} {statistics.median(sps):>10.0f} {statistics.median(ms):>9.2f} "
          f"{100*statistics.median(share):>15.1f}% {repeats:>7}")
print("batch 128 per rank; medians; 'allreduce share' = time in the gradient allreduce (transfer + wait) / step time")
PY

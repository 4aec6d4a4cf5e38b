#!/usr/bin/env bash
# Training throughput benchmark (not a test): MLP 784→1024→1024→10, batch 128 per rank, cross-entropy, SGD,
# np=1 (2 BLAS threads) vs np=2 (1 thread each), np=2 with the gradient allreduce after backward (comm.bucket_mb=0)
# and overlapped with backward (bucket_mb=4, the default). Runs are interleaved; prints medians over REPEATS runs.
# Usage: bench/train-throughput.sh [STEPS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
repeats=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # np threads bucket_mb name
  bin/lockstep train -c configs/fashion-mnist-mlp.yaml --np "$1" \
    --set backend.threads="$2" --set comm.bucket_mb="$3" --set run.max_steps="$steps" --set run.epochs=1 \
    --set output.eval_each_epoch=false --set run.out_dir="$out" --set run.name="$4" \
    --set output.log_every=100000 >/dev/null
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$repeats"); do
  run 1 2 0 np1-$r
  run 2 1 0 np2-b0-$r
  run 2 1 4 np2-b4-$r
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$repeats" <<'PY'
import json, statistics, sys, pathlib
out, repeats = pathlib.Path(sys.argv[1]), int(sys.argv[2])
print(f"{'config':<38} {'samples/s':>10} {'ms/step':>9} {'comm not hidden':>16} {'(runs)':>7}")
for name, label in (("np1", "np=1, 2 threads"), ("np2-b0", "np=2, 1 thread each, bucket_mb=0"),
                    ("np2-b4", "np=2, 1 thread each, bucket_mb=4")):
    sps, ms, share = [], [], []
    for r in range(1, repeats + 1):
        s = json.loads((out / f"{name}-{r}" / "summary.json").read_text())
        sps.append(s["samples_per_s"]); ms.append(1000 * s["train_seconds"] / s["steps"])
        ranks = s["per_rank"]
        share.append(statistics.mean((p["communication_s"] + p["wait_s"]) / s["train_seconds"] for p in ranks))
    print(f"{label:<38} {statistics.median(sps):>10.0f} {statistics.median(ms):>9.2f} "
          f"{100*statistics.median(share):>15.1f}% {repeats:>7}")
print("batch 128 per rank; medians; 'comm not hidden' = time the rank thread waits in the update for gradient\n"
      "allreduces (transfer + waiting for the slower rank) / training time; with bucket_mb=0 that is all of it")
PY

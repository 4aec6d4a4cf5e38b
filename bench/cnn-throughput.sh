#!/usr/bin/env bash
# CNN benchmark (not a test) on configs/fashion-mnist-cnn.yaml, np=2 on multicore:
#  1. CPU training throughput against PyTorch DDP (gloo) on the same model, batch 64 per rank, 1 thread per rank,
#     interleaved runs, medians over REPEATS. lockstep: the median of its 50-step progress windows after the first
#     (JIT warm-up) of a STEPS-step run, and the whole run's samples/s; PyTorch: STEPS timed steps after 10 warm-up
#     steps, random inputs;
#  2. unless SKIP_ACCURACY=1, the shipped config's full run: test accuracy and wall time.
# Usage: bench/cnn-throughput.sh [STEPS] [REPEATS]     (needs python3-torch for the PyTorch column)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
repeats=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cfg=configs/fashion-mnist-cnn.yaml

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
torch_py=${TORCH_PYTHON:-/usr/bin/python3} # Debian's python3-torch lives in the system python
have_torch=1
"$torch_py" -c 'import torch' 2>/dev/null || have_torch=0
for r in $(seq "$repeats"); do
  bin/lockstep train -c "$cfg" --np 2 --set run.max_steps="$steps" --set output.eval_each_epoch=false \
    --set run.out_dir="$out" --set run.name="tp-$r" --set output.log_every=50 >/dev/null
  if [ "$have_torch" = 1 ]; then
    "$torch_py" bench/torch_cnn_ddp.py 2 "$steps" 10 | tee -a "$out/torch.txt" >/dev/null
  fi
done
if [ "${SKIP_ACCURACY:-0}" != 1 ]; then
  start=$(date +%s.%N)
  bin/lockstep train -c "$cfg" --np 2 --set run.out_dir="$out" --set run.name=full --set output.log_every=100000 \
    >/dev/null
  end=$(date +%s.%N)
  echo "$start $end" > "$out/full-wall.txt"
fi
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$repeats" "$steps" <<'PY'
import json, pathlib, re, statistics, sys
out, repeats, steps = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
whole, ls = [], []
for r in range(1, repeats + 1):
    whole.append(json.loads((out / f"tp-{r}" / "summary.json").read_text())["samples_per_s"])
    windows = [json.loads(l) for l in (out / f"tp-{r}" / "metrics.jsonl").read_text().splitlines()]
    ls.append(statistics.median([w["samples_per_s"] for w in windows if w["kind"] == "step"][1:]))
print(f"{'CNN np=2, batch 64/rank, 1 thread/rank':<46} {'samples/s':>10} {'runs':>5}")
print(f"{'lockstep (50-step windows after the first)':<46} {statistics.median(ls):>10.0f} {repeats:>5}")
print(f"{'lockstep (whole ' + str(steps) + '-step run, incl. warm-up)':<46} {statistics.median(whole):>10.0f} "
      f"{repeats:>5}")
t = out / "torch.txt"
if t.exists():
    ts = [float(re.search(r"samples_per_s=([0-9.]+)", l).group(1)) for l in t.read_text().splitlines()]
    version = t.read_text().split()[1]
    print(f"{'PyTorch ' + version + ' DDP gloo (' + str(steps) + ' timed steps)':<46} {statistics.median(ts):>10.0f} "
          f"{len(ts):>5}")
    print(f"{'ratio lockstep (windows) / PyTorch':<46} {statistics.median(ls) / statistics.median(ts):>10.2f}")
else:
    print("PyTorch: not installed (apt-get install python3-torch); no baseline")
full = out / "full" / "summary.json"
if full.exists():
    s = json.loads(full.read_text())
    a, b = map(float, (out / "full-wall.txt").read_text().split())
    print(f"full run (np=2, as shipped): test accuracy {s['test_accuracy']:.4f}, wall {b - a:.0f} s "
          f"(training {s['train_seconds']:.0f} s, {s['samples_per_s']:.0f} samples/s)")
PY

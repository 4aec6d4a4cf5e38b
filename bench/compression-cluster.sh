#!/usr/bin/env bash
# Compressed gradients and gradient accumulation across two hosts (not a test). The hosts are two network
# namespaces of this machine joined by a veth pair (like ClusterNamespacesTest; needs root and iproute2), each with
# its own MPJ daemon; np=2 niodev, one rank per host. RATE (e.g. 1gbit) shapes both ends of the link with tc tbf to
# model a real NIC; without it the veth moves bytes as fast as the CPUs copy them.
#  1. bench allreduce ring, 4M and 64M: float32 vs bf16 vs fp16 payloads (medians of REPEATS invocations)
#  2. the default MLP (configs/fashion-mnist-mlp.yaml, 2 epochs) with comm.compression none vs bf16: samples/s
#     and the test accuracy reached
#  3. update.accumulate_steps 4 vs 1 at the same micro-batch (128), one epoch: samples/s, communication share and
#     seconds (summary.json's per-rank communication_s)
# Usage: RATE=1gbit bench/compression-cluster.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
rate=${RATE:-}
h1=lsb-h1 h2=lsb-h2
out=$(mktemp -d)
hosts="$out/hosts.txt"
printf '10.253.0.1 netns=%s\n10.253.0.2 netns=%s\n' "$h1" "$h2" > "$hosts"

teardown() {
  ip netns exec "$h1" bin/lockstep daemons stop --machines "$hosts" >/dev/null 2>&1 || true
  for ns in "$h1" "$h2"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$out"
}
trap teardown EXIT
for ns in "$h1" "$h2"; do ip netns del "$ns" 2>/dev/null || true; done
ip netns add "$h1"
ip netns add "$h2"
ip link add lsb-v1 netns "$h1" type veth peer name lsb-v2 netns "$h2"
ip -n "$h1" addr add 10.253.0.1/24 dev lsb-v1
ip -n "$h2" addr add 10.253.0.2/24 dev lsb-v2
for ns in "$h1" "$h2"; do ip -n "$ns" link set lo up; done
ip -n "$h1" link set lsb-v1 up
ip -n "$h2" link set lsb-v2 up
if [ -n "$rate" ]; then
  ip netns exec "$h1" tc qdisc add dev lsb-v1 root tbf rate "$rate" burst 256kb latency 50ms
  ip netns exec "$h2" tc qdisc add dev lsb-v2 root tbf rate "$rate" burst 256kb latency 50ms
fi
on_h1() { ip netns exec "$h1" bin/lockstep "$@"; }
on_h1 daemons start --machines "$hosts" >/dev/null
echo "two namespace hosts, link: ${rate:-veth, unshaped}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. allreduce
for r in $(seq "$repeats"); do
  on_h1 bench allreduce --np 2 --dev niodev --machines "$hosts" --sizes 4M,64M --algorithms ring \
    --compression none,bf16,fp16 > "$out/allreduce-$r.txt"
done

# 2. + 3. training runs, interleaved
train() { # name sets...
  local name=$1; shift
  on_h1 train -c configs/fashion-mnist-mlp.yaml --np 2 --dev niodev --machines "$hosts" -q \
    --set run.out_dir="$out/runs" --set run.name="$name" --set output.log_every=100000 "$@" >/dev/null
}
for r in $(seq "$repeats"); do
  train none-$r --set comm.compression=none
  train bf16-$r --set comm.compression=bf16
  train k1-$r --set update.accumulate_steps=1 --set run.epochs=1 --set output.eval_each_epoch=false
  train k4-$r --set update.accumulate_steps=4 --set run.epochs=1 --set output.eval_each_epoch=false
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$repeats" <<'PY'
import json, re, statistics, sys, pathlib
out, repeats = pathlib.Path(sys.argv[1]), int(sys.argv[2])
med = statistics.median
cols = {}
for r in range(1, repeats + 1):
    lines = (out / f"allreduce-{r}.txt").read_text().splitlines()
    for line in lines[2:]:  # size, then (ms, GB/s) per column: ring, ring/bf16, ring/fp16; reps; auto's pick
        f = line.split()
        for j, name in enumerate(("ring", "ring/bf16", "ring/fp16")):
            cols.setdefault((f[0], name), []).append(float(f[1 + 2 * j]))
print(f"\nallreduce np=2 across the two hosts, ring; median ms over {repeats} invocations (each a median of reps)")
print(f"{'size':<6} {'float32':>9} {'bf16':>9} {'fp16':>9} {'bf16 speed-up':>14} {'fp16 speed-up':>14}")
for size in ("4M", "64M"):
    f32, b, h = (med(cols[(size, n)]) for n in ("ring", "ring/bf16", "ring/fp16"))
    print(f"{size:<6} {f32:>9.2f} {b:>9.2f} {h:>9.2f} {f32 / b:>13.2f}x {f32 / h:>13.2f}x")

def summaries(name):
    return [json.loads((out / "runs" / f"{name}-{r}" / "summary.json").read_text()) for r in range(1, repeats + 1)]
def comm_share(s):
    return statistics.mean(p["communication_s"] / s["train_seconds"] for p in s["per_rank"])
print(f"\ndefault MLP (784-1024-1024-10, batch 128/rank, 2 epochs), np=2 across the hosts; medians of {repeats}")
print(f"{'compression':<12} {'samples/s':>10} {'comm share':>11} {'test accuracy (each run)':>30}")
for name in ("none", "bf16"):
    ss = summaries(name)
    accs = " ".join(f"{s['test_accuracy']:.4f}" for s in ss)
    print(f"{name:<12} {med(s['samples_per_s'] for s in ss):>10.0f} {100 * med(comm_share(s) for s in ss):>10.1f}% "
          f"{accs:>30}")
print(f"\ngradient accumulation, micro-batch 128/rank, one epoch each (the same samples); medians of {repeats}")
print(f"{'accumulate_steps':<17} {'updates':>8} {'samples/s':>10} {'comm share':>11} {'comm s total':>13} "
      f"{'comm s/update':>14}")
for name, k in (("k1", 1), ("k4", 4)):
    ss = summaries(name)
    comm = [statistics.mean(p["communication_s"] for p in s["per_rank"]) for s in ss]
    print(f"{k:<17} {ss[0]['steps']:>8} {med(s['samples_per_s'] for s in ss):>10.0f} "
          f"{100 * med(comm_share(s) for s in ss):>10.1f}% {med(comm):>13.2f} "
          f"{1000 * med(c / s['steps'] for c, s in zip(comm, ss)):>11.2f} ms")
PY

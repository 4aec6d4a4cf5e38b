"""Compares the per-step training losses of two `lockstep train` runs (metrics.jsonl step records).

Usage: python3 bench/compare_losses.py REFERENCE_RUN OTHER_RUN [--steps N] [--tol T]
Each step's difference is taken relative to the reference loss, or absolute once the loss is below 0.1 (near 0,
relative figures only measure rounding) — as CudaTrainingGpuTest does. Prints the worst difference and the step
where it occurs; exits 1 when it exceeds --tol or when the runs logged different steps.
"""
import argparse
import json
import os
import sys


def losses(run):
    out = {}
    path = os.path.join(run, "metrics.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"compare_losses: {path} does not exist (did the run fail? see its log)")
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("kind") == "step":
                out[rec["step"]] = rec["loss"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--steps", type=int, default=0, help="compare only the first N logged steps (0 = all)")
    ap.add_argument("--tol", type=float, default=2e-4)
    args = ap.parse_args()
    ref, got = losses(args.reference), losses(args.other)
    steps = sorted(ref)
    if args.steps:
        steps = steps[:args.steps]
    missing = [s for s in steps if s not in got]
    if not steps or missing:
        print(f"compare_losses: {len(steps)} reference steps, {len(missing)} missing in {args.other}")
        return 1
    worst, at = 0.0, steps[0]
    for s in steps:
        d = abs(ref[s] - got[s]) / max(0.1, abs(ref[s]))
        if d > worst:
            worst, at = d, s
    verdict = "OK" if worst <= args.tol else "FAIL"
    print(f"compare_losses: {len(steps)} steps, first loss {ref[steps[0]]:.6f} / {got[steps[0]]:.6f}, last "
          f"{ref[steps[-1]]:.6f} / {got[steps[-1]]:.6f}; worst difference {worst:.3g} at step {at} "
          f"(tolerance {args.tol:g}): {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())

"""Steady-state step time of `lockstep train` runs, from their metrics.jsonl, against the PyTorch baseline.

Each logged step record carries the samples/s of its window; the first `--skip` windows (JIT, CUDA context,
graph recording) are left out and the median of the rest is the run's figure: ms/step = batch / samples/s.
Usage: python3 bench/train_step_table.py RUN_DIR... [--skip 2] [--torch torch.log] [--backend-bench bench.log]
A run directory's name is <label>-b<batch>[-...] (bench/gpu-all.sh names them so); torch.log is the output of
bench/torch_mlp_baseline.py, bench.log that of CudaStepBench (optional columns).
"""
import argparse
import json
import os
import re
import statistics
import sys


def steady(run_dir, skip):
    windows, batch, ranks = [], None, 1
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("kind") == "step" and "samples_per_s" in rec:
                windows.append(rec["samples_per_s"])
    summary_path = os.path.join(run_dir, "summary.json")
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            ranks = json.load(f).get("ranks", 1)
    m = re.search(r"-b(\d+)", os.path.basename(run_dir.rstrip("/")))
    batch = int(m.group(1)) if m else None
    kept = windows[skip:] if len(windows) > skip else windows
    if not kept:
        raise SystemExit(f"{run_dir}: no step records in metrics.jsonl")
    sps = statistics.median(kept)
    return batch, ranks, sps, len(kept)


def torch_table(path):
    """{(batch, mode): ms} from torch_mlp_baseline.py output lines: batch mode variant ms samples/s."""
    rows = {}
    if not path or not os.path.exists(path):
        return rows
    for line in open(path):
        parts = line.split()
        if len(parts) >= 4 and parts[0].isdigit():
            variant = parts[2] if len(parts) >= 5 else "eager"
            rows[(int(parts[0]), parts[1], variant)] = float(parts[-2])
    return rows


def backend_table(path):
    """{(batch, mode): ms} from CudaStepBench lines 'batch mode eager|graph median-ms ...': the faster launch."""
    rows = {}
    if not path or not os.path.exists(path):
        return rows
    for line in open(path):
        m = re.match(r"\s*(\d+)\s+(fp32|tf32)\s+(eager|graph)\s+([\d.]+)", line)
        if m:
            key = (int(m.group(1)), m.group(2))
            rows[key] = min(rows.get(key, float("inf")), float(m.group(4)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--skip", type=int, default=2)
    ap.add_argument("--torch")
    ap.add_argument("--backend-bench")
    args = ap.parse_args()
    torch = torch_table(args.torch)
    backend = backend_table(args.backend_bench)
    print(f"{'run':<28} {'ranks':>5} {'batch':>6} {'samples/s':>12} {'ms/step':>9} {'windows':>7} "
          f"{'torch eager':>11} {'torch graph':>11} {'vs torch':>8} {'backend':>8} {'vs backend':>10}")
    for run in args.runs:
        label = os.path.basename(run.rstrip("/"))
        figures = steady(run, args.skip)
        if figures is None:
            print(f"{label:<28} no metrics.jsonl (the run failed: see {label}.log)")
            continue
        batch, ranks, sps, n = figures
        mode = "tf32" if "tf32" in label else "fp32"
        ms = batch * ranks / sps * 1000 if batch else float("nan")
        te = torch.get((batch, mode, "eager"))
        tg = torch.get((batch, mode, "graph"))
        best = min(v for v in (te, tg) if v is not None) if (te or tg) else None
        be = backend.get((batch, mode))
        fmt = lambda v, f="{:.3f}": f.format(v) if v is not None else "-"
        print(f"{label:<28} {ranks:>5} {batch or '-':>6} {sps:>12.0f} {ms:>9.3f} {n:>7} {fmt(te):>11} {fmt(tg):>11} "
              f"{fmt(ms / best if best else None, '{:.2f}x'):>8} {fmt(be):>8} "
              f"{fmt(ms / be if be else None, '{:.2f}x'):>10}")


if __name__ == "__main__":
    sys.exit(main())

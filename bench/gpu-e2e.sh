#!/usr/bin/env bash
# ON THE ACCELERATOR MACHINE (after bench/gpu-e2e-prepare.sh here, carry: [".gpu"]): trains the default MLP on a
# Fashion-MNIST subset with 2 ranks sharing one GPU (backend.device: cuda), then 1 rank with TF32.
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
. .gpu/device-env.sh
export MPJ_HOME=$PWD/.gpu/mpj-home
run() {
  java -cp ".gpu/lockstep.jar:.gpu/lib/*" dev.lockstep.Main train -c configs/fashion-mnist-mlp.yaml \
    --set data.dir="$PWD/.gpu/data" --set backend.device=cuda --set run.out_dir="$OUT/runs" \
    --set output.log_every=40 "$@"
}
run --np 2 --set run.epochs=3 --set run.name=np2-fp32 2>&1 | tee "$OUT/np2-fp32.log"
echo "exit code ${PIPESTATUS[0]}"
run --np 1 --set run.epochs=3 --set data.batch_size=256 --set backend.tf32=true --set run.name=np1-tf32 2>&1 \
  | tee "$OUT/np1-tf32.log"
echo "exit code ${PIPESTATUS[0]}"

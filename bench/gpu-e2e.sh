#!/usr/bin/env bash
# ON THE ACCELERATOR MACHINE (after bench/gpu-e2e-prepare.sh here, carry: [".gpu"]): whole runs through the
# launcher with backend.device: cuda — 2 ranks sharing one GPU in sync mode (with gradient checkpointing), the
# asynchronous and auto modes, 1 rank with TF32, the character-level language model, and `doctor`.
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
. .gpu/device-env.sh
export MPJ_HOME=$PWD/.gpu/mpj-home
lockstep() { java -cp ".gpu/lockstep.jar:.gpu/lib/*" dev.lockstep.Main "$@"; }
mlp() {
  lockstep train -c configs/fashion-mnist-mlp.yaml --set data.dir="$PWD/.gpu/data" --set backend.device=cuda \
    --set run.out_dir="$OUT/runs" --set output.log_every=40 "$@"
}
step() { # name, command...
  local name=$1; shift
  echo "== $name"
  "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  grep -vE '^step [0-9]*[13579]0/' "$OUT/$name.log" | tail -6
  echo "exit code $rc"
}
step doctor lockstep doctor
step np2-sync-ckpt mlp --np 2 --set run.epochs=3 --set checkpointing.segments=auto --set run.name=np2-sync-ckpt
step np1-tf32 mlp --np 1 --set run.epochs=3 --set data.batch_size=256 --set backend.tf32=true --set run.name=np1-tf32
step np2-local-sgd mlp --np 2 --set run.epochs=2 --set update.mode=async --set update.async.algorithm=local_sgd \
  --set run.name=np2-local-sgd
step np2-auto mlp --np 2 --set run.epochs=2 --set update.mode=auto --set update.async.algorithm=local_sgd \
  --set run.name=np2-auto
step char-lm lockstep train -c configs/fortunes-char-lm.yaml --np 2 --set data.path="$PWD/.gpu/text" \
  --set backend.device=cuda --set run.max_steps=150 --set run.out_dir="$OUT/runs" --set run.name=char-lm
step sample lockstep sample "$OUT/runs/char-lm" --prompt "The " --length 200 --seed 3

#!/usr/bin/env bash
# Fills .gpu/ for an end-to-end training run on the accelerator machine (no Java, no MPJ, no datasets there):
# a jlink'd JRE, lockstep.jar + runtime jars (no OpenBLAS natives: the ranks use CUDA), an assembled MPJ home,
# and a Fashion-MNIST subset as real IDX files. Then, on the device: bash bench/gpu-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."
G=.gpu
rm -rf "$G" && mkdir -p "$G/lib" "$G/data" "$G/text"
make -s build
# The JRE: MPJ's log4j 1.2 wants java.desktop (java.beans) besides the modules the GPU tests need.
tmp=$(mktemp -d)
"${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"/bin/jlink --add-modules \
  java.base,java.logging,java.management,jdk.unsupported,java.xml,java.naming,java.desktop \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$tmp/jre17"
tar czf "$G/jre17.tgz" -C "$tmp" jre17 && rm -rf "$tmp"
cp ../shared/gpu/device-env.sh "$G/"
cp target/lockstep.jar "$G/"
cp target/lib/*.jar "$G/lib/" && rm -f "$G"/lib/openblas-*.jar
test -d target/mpj-home || { echo "run the tests once (they assemble target/mpj-home)"; exit 2; }
cp -r target/mpj-home "$G/mpj-home"
python3 - "$G/data" <<'PY'
import gzip, struct, sys
src, dst = "/usr/share/datasets/fashion-mnist", sys.argv[1]
def subset(name, count):
    b = gzip.open(f"{src}/{name}.gz").read()
    dims = b[3]
    shape = list(struct.unpack(">" + "I" * dims, b[4:4 + 4 * dims]))
    item = 1
    for d in shape[1:]:
        item *= d
    shape[0] = count
    out = b[:4] + struct.pack(">" + "I" * dims, *shape) + b[4 + 4 * dims:4 + 4 * dims + count * item]
    gzip.open(f"{dst}/{name}.gz", "wb").write(out)
for name, n in (("train-images-idx3-ubyte", 12000), ("train-labels-idx1-ubyte", 12000),
                ("t10k-images-idx3-ubyte", 2000), ("t10k-labels-idx1-ubyte", 2000)):
    subset(name, n)
PY
# Text for the language model: a few of the fortunes files (the rest stay home to keep the payload small).
cp /usr/share/games/fortunes/{computers,science,wisdom,literature} "$G/text/"
du -sh "$G"

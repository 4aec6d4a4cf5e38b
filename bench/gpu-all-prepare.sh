#!/usr/bin/env bash
# Run HERE (the build machine, no GPU). Fills .gpu/ with everything bench/gpu-all.sh needs on the accelerator
# machine, which has CUDA 13 libraries and python3 + torch but no Java, Maven, MPJ or datasets; nothing is built
# there. Carry: [".gpu"] (the device tool moves at most 64 MiB; this stays under 60 MB):
#   .gpu/jre17.txz        jlink'd Java 17 with java.desktop (MPJ's log4j needs java.beans); bench/gpu-env.sh unpacks it
#   .gpu/lockstep.jar, .gpu/lib/*.jar   the app and its runtime jars; OpenBLAS cut to the linux-x86_64 natives the
#                         CPU backend loads (the parameter server's CPU backend, the CPU reference runs)
#   .gpu/test-classes, .gpu/testlib/*.jar   the GPU tests, AssertJ and the JUnit console launcher
#   .gpu/mpj-home         the assembled MPJ home the launcher starts ranks from
#   .gpu/text/            four fortunes files for the character-level language model
# Ends with a self-check on the packed JRE and jars: the CPU-side CUDA tests and a tiny CPU `train` run.
set -euo pipefail
cd "$(dirname "$0")/.."
G=.gpu
MVN="mvn -q -B -o"
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.1
LIMIT_MB=60

mkdir -p "$G"
rm -rf "$G/lib" "$G/testlib" "$G/test-classes" "$G/mpj-home" "$G/text" "$G/jre17" "$G/lockstep.jar" "$G/classes" \
  "$G/data"
mkdir -p "$G/lib" "$G/testlib" "$G/text"

echo "== build"
$MVN -DskipTests package
$MVN -DskipTests test-compile
test -d target/mpj-home || { echo "gpu-all-prepare: target/mpj-home is missing: run the tests once (they assemble it)" >&2; exit 2; }

echo "== jars"
cp target/lockstep.jar "$G/"
cp target/lib/*.jar "$G/lib/"
# OpenBLAS: keep the natives CpuBackend loads (jniopenblas + nolapack, libopenblas, gfortran/quadmath/gcc_s);
# drop the 24 MB jniopenblas_full (only `doctor`'s OpenBLAS line uses it) and the C headers.
blas=$(ls "$G"/lib/openblas-*-linux-x86_64.jar)
zip -q -d "$blas" 'org/bytedeco/openblas/linux-x86_64/libjniopenblas_full.so' \
  'org/bytedeco/openblas/linux-x86_64/include/*' >/dev/null
$MVN dependency:copy-dependencies -DincludeGroupIds=org.assertj -DincludeArtifactIds=assertj-core \
  -DexcludeTransitive=true -DoutputDirectory="$G/testlib"
mvn -q -B dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$G/testlib" # online once: not a build dependency
cp -r target/test-classes "$G/test-classes"
cp -r target/mpj-home "$G/mpj-home"
cp /usr/share/games/fortunes/{computers,science,wisdom,literature} "$G/text/"

echo "== runtime"
# An uncompressed jlink image in an xz tarball (17 MB) instead of shared/gpu's compressed image in gzip (32 MB with
# java.desktop, which MPJ's log4j needs); bench/gpu-env.sh unpacks it on the device. Built once, then reused.
if [ ! -s "$G/jre17.txz" ]; then
  tmp=$(mktemp -d)
  "${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"/bin/jlink --add-modules \
    java.base,java.logging,java.management,jdk.unsupported,java.xml,java.naming,java.desktop \
    --strip-debug --no-header-files --no-man-pages --compress=0 --output "$tmp/jre17"
  tar cJf "$G/jre17.txz" -C "$tmp" jre17
  rm -rf "$tmp"
fi
rm -f "$G/jre17.tgz" "$G/jre17.with-desktop" "$G/device-env.sh"

size_mb=$(du -sm "$G" | cut -f1)
echo "== .gpu is ${size_mb} MB"
du -sm "$G"/* | sort -n | tail -6
if [ "$size_mb" -gt "$LIMIT_MB" ]; then
  echo "gpu-all-prepare: .gpu is ${size_mb} MB, over the ${LIMIT_MB} MB budget" >&2
  exit 1
fi

echo "== self-check on the packed JRE and jars"
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
tar xJf "$G/jre17.txz" -C "$check"
java17="$check/jre17/bin/java"
"$java17" -cp "$G/test-classes:$G/lockstep.jar:$G/lib/*:$G/testlib/*" org.junit.platform.console.ConsoleLauncher \
  execute --disable-banner --disable-ansi-colors --details=summary --fail-if-no-tests \
  --select-class=dev.lockstep.tensor.CudaAvailabilityTest --select-class=dev.lockstep.tensor.CudaKernelsTest \
  --select-class=dev.lockstep.objective.StepObjectivesTest
MPJ_HOME=$PWD/$G/mpj-home "$java17" -cp "$G/lockstep.jar:$G/lib/*" dev.lockstep.Main train \
  -c bench/configs/mlp-step-bench.yaml --np 2 --set backend.device=cpu --set run.max_steps=4 \
  --set data.synthetic.train_samples=2048 --set run.out_dir="$check/runs" --set run.name=selfcheck \
  --set output.log_every=2 --set update.async.algorithm=parameter_server --set update.mode=async | tail -3
echo "gpu-all-prepare: ready; on the device: bash bench/gpu-all.sh   (carry: [\".gpu\"], timeout_s 540)"

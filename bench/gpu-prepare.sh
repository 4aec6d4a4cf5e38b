#!/usr/bin/env bash
# Run HERE (the build machine, no GPU): builds the CUDA backend and its tests and fills .gpu/ with what
# bench/gpu-check.sh needs on the accelerator machine (which has CUDA 13 libraries but no Java, no Maven):
#   .gpu/jre17.tgz         jlink'd Java 17 (shared/gpu/make-jre.sh), unpacked there by .gpu/device-env.sh
#   .gpu/device-env.sh     copied from shared/gpu (../shared does not travel)
#   .gpu/classes, .gpu/test-classes
#   .gpu/lib/*.jar         JavaCPP + CUDA presets (with linux-x86_64 natives), AssertJ, JUnit console launcher
# No OpenBLAS natives: the GPU tests and the benchmark do not touch the CPU backend. Total must stay < 55 MB.
# Ends by running the CPU-side CUDA tests on the packed JRE and jars, so a missing module or jar shows up here.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${LOCKSTEP_SHARED_GPU:-/work/shared/gpu}
GPU=.gpu
MVN="mvn -q -B"
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.1

mkdir -p "$GPU" target
rm -rf "$GPU/classes" "$GPU/test-classes" "$GPU/lib" "$GPU/jre17"
mkdir -p "$GPU/lib"

echo "== jars"
$MVN dependency:copy-dependencies -DincludeGroupIds=org.bytedeco,org.assertj \
  -DincludeArtifactIds=javacpp,cuda,openblas,assertj-core -DexcludeTransitive=true -DoutputDirectory="$GPU/lib"
$MVN dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$GPU/lib"
ls "$GPU/lib"

echo "== classes"
if $MVN -DskipTests test-compile >target/gpu-prepare-build.log 2>&1; then
  cp -r target/classes "$GPU/classes"
  cp -r target/test-classes "$GPU/test-classes"
  echo "built with Maven (test-compile)"
else
  # The whole tree may not compile while other packages are mid-merge; the CUDA backend needs only the
  # tensor contracts, so compile exactly those and its tests.
  echo "Maven test-compile failed (see target/gpu-prepare-build.log: $(grep -c ERROR target/gpu-prepare-build.log) ERROR lines);"
  echo "compiling only tensor/{Backend,Buf,Activation,Cuda*} and the Cuda* tests with javac"
  cp_jars=$(ls "$GPU"/lib/*.jar | tr '\n' ':')
  javac -nowarn --release 17 -encoding UTF-8 -d "$GPU/classes" -cp "$cp_jars" \
    src/main/java/dev/lockstep/tensor/{Backend,Buf,Activation}.java src/main/java/dev/lockstep/tensor/Cuda*.java
  javac -nowarn --release 17 -encoding UTF-8 -d "$GPU/test-classes" -cp "$GPU/classes:$cp_jars" \
    src/test/java/dev/lockstep/tensor/Cuda*.java
fi

echo "== runtime"
if [ ! -s "$GPU/jre17.tgz" ]; then
  "$SHARED/make-jre.sh" "$GPU/jre17.tgz"
fi
cp "$SHARED/device-env.sh" "$GPU/device-env.sh"

size_mb=$(du -sm "$GPU" | cut -f1)
echo "== .gpu is ${size_mb} MB"
if [ "$size_mb" -gt 55 ]; then
  echo "gpu-prepare: .gpu is ${size_mb} MB, over the 55 MB budget" >&2
  exit 1
fi

echo "== self-check: CPU-side CUDA tests on the packed JRE and jars"
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
tar xzf "$GPU/jre17.tgz" -C "$check"
"$check/jre17/bin/java" -cp "$GPU/classes:$GPU/test-classes:$GPU/lib/*" org.junit.platform.console.ConsoleLauncher \
  execute --disable-banner --disable-ansi-colors --details=summary --fail-if-no-tests \
  --select-class=dev.lockstep.tensor.CudaAvailabilityTest --select-class=dev.lockstep.tensor.CudaKernelsTest
echo "gpu-prepare: ready; on the device run: bash bench/gpu-check.sh   (carry: [\".gpu\"])"

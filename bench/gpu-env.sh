# Source on the accelerator machine from the repository root: . bench/gpu-env.sh
# Like shared/gpu/device-env.sh, for bench/gpu-all-prepare.sh's payload: the JRE travels as .gpu/jre17.txz (xz of an
# uncompressed jlink image: about half the size of the gzip'd compressed one); unpacked with tar's xz when the
# machine has it, else with python3's tarfile. Then the loader is pointed at the machine's CUDA 13 libraries.
if [ ! -x .gpu/jre17/bin/java ]; then
  tar xJf .gpu/jre17.txz -C .gpu 2>/dev/null \
    || python3 -c 'import tarfile; tarfile.open(".gpu/jre17.txz").extractall(".gpu")'
fi
export JAVA_HOME=$PWD/.gpu/jre17 PATH=$PWD/.gpu/jre17/bin:$PATH
_cuda_dirs=$(find /usr/local/cuda* /opt /usr/lib/x86_64-linux-gnu \( -name 'libcublas.so.13' -o -name 'libcudart.so.13' \
  -o -name 'libnvrtc.so.13' -o -name 'libnccl.so.2' \) 2>/dev/null | xargs -r -n1 dirname | sort -u | tr '\n' ':')
export LD_LIBRARY_PATH=${_cuda_dirs}${LD_LIBRARY_PATH:-}

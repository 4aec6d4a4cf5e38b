package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;
import static dev.lockstep.tensor.CudaErrors.driver;
import static dev.lockstep.tensor.CudaErrors.nvrtc;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * {@link CudaKernels#source()} compiled by NVRTC and loaded once per device per process. This is static on
 * purpose (the one exception to "no static mutable state"): a CUDA module lives in the device's primary
 * context, which every rank thread of the JVM shares, so compiling it per rank would only waste time.
 */
final class CudaModuleCache {
  private CudaModuleCache() {}

  private static final Map<Integer, Kernels> BY_DEVICE = new ConcurrentHashMap<>();
  private static final AtomicInteger COMPILATIONS = new AtomicInteger();

  /** The functions of one loaded module. */
  static final class Kernels {
    private final EnumMap<CudaKernels.Name, CUfunc_st> functions;
    final double compileMillis;

    private Kernels(EnumMap<CudaKernels.Name, CUfunc_st> functions, double compileMillis) {
      this.functions = functions;
      this.compileMillis = compileMillis;
    }

    CUfunc_st get(CudaKernels.Name name) {
      return functions.get(name);
    }
  }

  /**
   * The kernels for {@code device}, compiling them on first use. The caller's thread must have that device's
   * primary context current (cudaSetDevice), since the module is loaded into it.
   */
  static Kernels forDevice(int device) {
    return BY_DEVICE.computeIfAbsent(device, CudaModuleCache::compileAndLoad);
  }

  /** How many times the source was compiled in this process (tests check it is once per device). */
  static int compilations() {
    return COMPILATIONS.get();
  }

  private static Kernels compileAndLoad(int device) {
    long t0 = System.nanoTime();
    int[] major = new int[1];
    int[] minor = new int[1];
    cuda(cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute(major)");
    cuda(cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute(minor)");
    BytePointer ptx = compileToPtx("--gpu-architecture=compute_" + major[0] + minor[0]);
    driver(cudart.cuInit(0), "cuInit");
    CUmod_st module = new CUmod_st();
    driver(cudart.cuModuleLoadData(module, ptx), "cuModuleLoadData");
    EnumMap<CudaKernels.Name, CUfunc_st> functions = new EnumMap<>(CudaKernels.Name.class);
    for (CudaKernels.Name name : CudaKernels.Name.values()) {
      CUfunc_st fn = new CUfunc_st();
      driver(cudart.cuModuleGetFunction(fn, module, name.cName), "cuModuleGetFunction(" + name.cName + ")");
      functions.put(name, fn);
    }
    COMPILATIONS.incrementAndGet();
    return new Kernels(functions, (System.nanoTime() - t0) / 1e6);
  }

  private static BytePointer compileToPtx(String archOption) {
    _nvrtcProgram program = new _nvrtcProgram();
    nvrtc(nvrtc.nvrtcCreateProgram(program, new BytePointer(CudaKernels.source()), new BytePointer("lockstep_kernels.cu"),
        0, (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram", null);
    try {
      int rc = nvrtc.nvrtcCompileProgram(program, 1, new PointerPointer<>(archOption));
      nvrtc(rc, "nvrtcCompileProgram(" + archOption + ")", rc == 0 ? null : log(program));
      SizeTPointer size = new SizeTPointer(1);
      nvrtc(nvrtc.nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize", null);
      BytePointer ptx = new BytePointer(size.get());
      nvrtc(nvrtc.nvrtcGetPTX(program, ptx), "nvrtcGetPTX", null);
      return ptx;
    } finally {
      nvrtc.nvrtcDestroyProgram(program);
    }
  }

  private static String log(_nvrtcProgram program) {
    SizeTPointer size = new SizeTPointer(1);
    if (nvrtc.nvrtcGetProgramLogSize(program, size) != 0 || size.get() <= 1) {
      return "";
    }
    BytePointer text = new BytePointer(size.get());
    return nvrtc.nvrtcGetProgramLog(program, text) == 0 ? text.getString() : "";
  }
}

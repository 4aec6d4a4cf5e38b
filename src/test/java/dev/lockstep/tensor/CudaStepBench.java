package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/**
 * Times one training step of the MLP 784→1024→1024→10 written directly with {@link CudaBackend} calls
 * (forward: gemm + bias + ReLU ×2, gemm + bias; softmax cross-entropy gradient on the device; backward GEMMs,
 * sumRows, ReLU backward; SGD with momentum), for batch 128/1024/8192 in FP32 and TF32, launched op by op
 * ("eager") and as one captured CUDA graph. Synthetic data stays on the device.
 *
 * <p>A step's time is the interval between CUDA events recorded before and after it on the stream, with no
 * host synchronization in between (so host launch overhead counts when the GPU waits for it); the table
 * shows the median over the timed steps and, as a cross-check, host wall time / steps. Lives in the test
 * tree so it does not ship; run it with {@code bench/gpu-check.sh} on the accelerator machine.
 *
 * <p>Usage: {@code CudaStepBench [steps=100] [warmup=20] [batches=128,1024,8192]}
 */
public final class CudaStepBench {
  private CudaStepBench() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int[] batches = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {128, 1024, 8192};
    var reason = CudaBackend.unavailableReason();
    if (reason.isPresent()) {
      System.err.println("CudaStepBench: " + reason.get());
      System.exit(4);
    }
    System.out.printf("MLP 784-1024-1024-10, softmax CE, SGD momentum 0.9; %d warm-up + %d timed steps%n",
        warmup, steps);
    System.out.printf("%-6s %-5s %-6s %10s %10s %12s %s%n", "batch", "mode", "launch", "median ms", "wall ms",
        "samples/s", "loss first -> last");
    for (boolean tf32 : new boolean[] {false, true}) {
      try (CudaBackend be = CudaBackend.create(0, tf32)) {
        if (!tf32) {
          System.out.println("# " + be.describe());
        }
        for (int batch : batches) {
          Mlp mlp = new Mlp(be, batch, new SplittableRandom(42));
          String mode = tf32 ? "tf32" : "fp32";
          double firstLoss = mlp.meanLoss(); // before any update: the loss of step 1's forward
          runSteps(mlp::step, warmup);
          Timing eager = time(be, mlp::step, steps);
          report(batch, mode, "eager", eager, firstLoss, mlp.meanLoss());
          try (CudaGraph graph = CudaGraph.capture(be, mlp::step)) {
            runSteps(graph::launch, warmup);
            Timing replay = time(be, graph::launch, steps);
            report(batch, mode, "graph", replay, firstLoss, mlp.meanLoss());
          }
        }
      }
    }
  }

  private static void runSteps(Runnable step, int n) {
    for (int i = 0; i < n; i++) {
      step.run();
    }
  }

  private record Timing(double medianMs, double wallMs) {}

  private static Timing time(CudaBackend be, Runnable step, int steps) {
    CUevent_st[] events = new CUevent_st[steps + 1];
    for (int i = 0; i <= steps; i++) {
      events[i] = new CUevent_st();
      cuda(cudart.cudaEventCreate(events[i]), "cudaEventCreate");
    }
    try {
      be.synchronize();
      long t0 = System.nanoTime();
      cuda(cudart.cudaEventRecord(events[0], be.stream()), "cudaEventRecord");
      for (int i = 0; i < steps; i++) {
        step.run();
        cuda(cudart.cudaEventRecord(events[i + 1], be.stream()), "cudaEventRecord");
      }
      be.synchronize();
      double wallMs = (System.nanoTime() - t0) / 1e6 / steps;
      double[] ms = new double[steps];
      float[] elapsed = new float[1];
      for (int i = 0; i < steps; i++) {
        cuda(cudart.cudaEventElapsedTime(elapsed, events[i], events[i + 1]), "cudaEventElapsedTime");
        ms[i] = elapsed[0];
      }
      Arrays.sort(ms);
      double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
      return new Timing(median, wallMs);
    } finally {
      for (CUevent_st e : events) {
        cudart.cudaEventDestroy(e);
      }
    }
  }

  private static void report(int batch, String mode, String launch, Timing t, double firstLoss, double lastLoss) {
    System.out.printf("%-6d %-5s %-6s %10.3f %10.3f %12.0f %.4f -> %.4f%n", batch, mode, launch, t.medianMs(),
        t.wallMs(), batch / (t.medianMs() / 1e3), firstLoss, lastLoss);
  }

  /**
   * The model, its flat parameter/gradient/momentum buffers, activations and one synthetic batch. Its device
   * memory is freed when the backend closes.
   */
  private static final class Mlp {
    private static final int[] WIDTHS = {784, 1024, 1024, 10};
    private final CudaBackend be;
    private final int batch;
    private final CudaBuf params;
    private final CudaBuf grads;
    private final CudaBuf momentum;
    private final List<CudaBuf> w = new ArrayList<>(); // w[l]: [out, in]
    private final List<CudaBuf> b = new ArrayList<>(); // b[l]: [out]
    private final List<CudaBuf> gw = new ArrayList<>();
    private final List<CudaBuf> gb = new ArrayList<>();
    private final CudaBuf x; // [B, 784]
    private final CudaBuf ids; // [B] class ids as floats
    private final CudaBuf z1, a1, z2, a2, z3; // [B, 1024] ×4, [B, 10]
    private final CudaBuf dz3, da2, da1; // [B, 10], [B, 1024] ×2
    private final CudaBuf rowLoss; // [B]

    Mlp(CudaBackend be, int batch, SplittableRandom rng) {
      this.be = be;
      this.batch = batch;
      long total = 0;
      for (int l = 0; l + 1 < WIDTHS.length; l++) {
        total += (long) WIDTHS[l + 1] * WIDTHS[l] + WIDTHS[l + 1];
      }
      params = be.allocate(total);
      grads = be.allocate(total);
      momentum = be.allocate(total);
      float[] init = new float[(int) total];
      long at = 0;
      for (int l = 0; l + 1 < WIDTHS.length; l++) {
        int in = WIDTHS[l];
        int out = WIDTHS[l + 1];
        double bound = 1 / Math.sqrt(in);
        for (int i = 0; i < out * in + out; i++) {
          init[(int) at + i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        w.add(params.view(at, (long) out * in));
        gw.add(grads.view(at, (long) out * in));
        at += (long) out * in;
        b.add(params.view(at, out));
        gb.add(grads.view(at, out));
        at += out;
      }
      be.upload(init, 0, params);
      float[] data = new float[batch * 784];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) rng.nextDouble();
      }
      x = be.allocate(data.length);
      be.upload(data, 0, x);
      float[] labels = new float[batch];
      for (int i = 0; i < batch; i++) {
        labels[i] = rng.nextInt(10);
      }
      ids = be.allocate(batch);
      be.upload(labels, 0, ids);
      z1 = be.allocate((long) batch * 1024);
      a1 = be.allocate((long) batch * 1024);
      z2 = be.allocate((long) batch * 1024);
      a2 = be.allocate((long) batch * 1024);
      z3 = be.allocate((long) batch * 10);
      dz3 = be.allocate((long) batch * 10);
      da2 = be.allocate((long) batch * 1024);
      da1 = be.allocate((long) batch * 1024);
      rowLoss = be.allocate(batch);
    }

    /** One step: zero grads, forward, loss gradient, backward (accumulating into grads), SGD. */
    void step() {
      int n = batch;
      be.fill(grads, 0f);
      // forward: z = x·Wᵀ + b
      be.gemm(false, true, n, 1024, 784, 1f, x, w.get(0), 0f, z1);
      be.addRowVector(z1, b.get(0), n, 1024);
      be.activation(Activation.RELU, z1, a1);
      be.gemm(false, true, n, 1024, 1024, 1f, a1, w.get(1), 0f, z2);
      be.addRowVector(z2, b.get(1), n, 1024);
      be.activation(Activation.RELU, z2, a2);
      be.gemm(false, true, n, 10, 1024, 1f, a2, w.get(2), 0f, z3);
      be.addRowVector(z3, b.get(2), n, 10);
      // dL/dz3 of the batch-mean cross-entropy
      be.softmaxCrossEntropy(z3, ids, n, 10, 1f / n, dz3, rowLoss);
      // backward: dW = dzᵀ·a, db = Σ_rows dz, da = dz·W
      be.gemm(true, false, 10, 1024, n, 1f, dz3, a2, 1f, gw.get(2));
      be.sumRows(dz3, gb.get(2), n, 10, 1f);
      be.gemm(false, false, n, 1024, 10, 1f, dz3, w.get(2), 0f, da2);
      be.activationBackward(Activation.RELU, z2, a2, da2, da2);
      be.gemm(true, false, 1024, 1024, n, 1f, da2, a1, 1f, gw.get(1));
      be.sumRows(da2, gb.get(1), n, 1024, 1f);
      be.gemm(false, false, n, 1024, 1024, 1f, da2, w.get(1), 0f, da1);
      be.activationBackward(Activation.RELU, z1, a1, da1, da1);
      be.gemm(true, false, 1024, 784, n, 1f, da1, x, 1f, gw.get(0));
      be.sumRows(da1, gb.get(0), n, 1024, 1f);
      be.sgdStep(params, grads, momentum, 0.01f, 0.9f, false, 0f);
    }

    /** Mean loss of the current weights on the batch (runs one forward; not timed). */
    double meanLoss() {
      int n = batch;
      be.gemm(false, true, n, 1024, 784, 1f, x, w.get(0), 0f, z1);
      be.addRowVector(z1, b.get(0), n, 1024);
      be.activation(Activation.RELU, z1, a1);
      be.gemm(false, true, n, 1024, 1024, 1f, a1, w.get(1), 0f, z2);
      be.addRowVector(z2, b.get(1), n, 1024);
      be.activation(Activation.RELU, z2, a2);
      be.gemm(false, true, n, 10, 1024, 1f, a2, w.get(2), 0f, z3);
      be.addRowVector(z3, b.get(2), n, 10);
      be.softmaxCrossEntropy(z3, ids, n, 10, 1f / n, dz3, rowLoss);
      float[] loss = new float[n];
      be.download(rowLoss, loss, 0);
      double s = 0;
      for (float v : loss) {
        s += v;
      }
      return s / n;
    }
  }
}

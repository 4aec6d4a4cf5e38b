package dev.lockstep.update;

import dev.lockstep.checkpointing.StepExecutor;
import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.MpjCommunicator;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.launch.RankTask;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Sgd;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs inside real MPJ ranks (started by {@link OverlapTest}): trains the same small model a few steps with fresh
 * random inputs per rank under several update variants — no overlap, and bucketed overlap with several bucket caps,
 * each reducing in place (CPU memory) and through host staging (the CUDA path) — and checks that every variant ends
 * with the same weights as the plain one — the same bits with {@code bits} (shm, and any algorithm at np = 2: each
 * element has one fixed reduction order), within float tolerance with {@code close} (the ring at np ≥ 3 reduces an
 * element in an order that depends on where the chunk boundaries fall, so on the bucket lengths) — replicas
 * bit-identical on every rank, and that the caps gave the expected number of buckets. Prints "overlap check ok"
 * per rank, or the problems and returns 3.
 *
 * <p>args: {@code --task=<this class> <seed> <comm.algorithm> bits|close}
 */
public final class OverlapCheckTask implements RankTask {
  private static final int IN = 23, BATCH = 5, STEPS = 3;
  // 23→37 (888 floats = 3552 B), tanh, 37→29 (1102 = 4408 B), relu, 29→11 (330 = 1320 B)
  private static final ModelConfig MODEL = new ModelConfig(List.of(new LayerSpec("linear", 37, null),
      new LayerSpec("tanh", null, null), new LayerSpec("linear", 29, null), new LayerSpec("relu", null, null),
      new LayerSpec("linear", 11, null)));

  private record Variant(long bucketBytes, boolean inPlace, int expectedBuckets) {}

  private static final List<Variant> VARIANTS = List.of(
      new Variant(0, true, 0), new Variant(0, false, 0),
      new Variant(2048, true, 3), new Variant(2048, false, 3),
      new Variant(8192, true, 2), new Variant(8192, false, 2),
      new Variant(1 << 22, true, 1));

  @Override
  public int run(Communicator comm, String[] args) {
    long seed = Long.parseLong(args[1]);
    ((MpjCommunicator) comm).setAlgorithm(args[2]);
    boolean bits = args[3].equals("bits");
    StringBuilder problems = new StringBuilder();
    try (Backend be = CpuBackend.create(1)) {
      float[] reference = null;
      for (int v = 0; v < VARIANTS.size(); v++) {
        Variant variant = VARIANTS.get(v);
        float[] weights = train(comm, be, seed, variant, problems);
        if (v == 0) {
          reference = weights;
        } else {
          compare(variant, weights, reference, bits, problems);
        }
        try {
          ReplicaCheck.requireIdenticalWeights(comm, Parameters.checksum(weights), STEPS);
        } catch (ReplicaMismatchException e) {
          problems.append("\n  ").append(variant).append(": ").append(e.getMessage());
        }
      }
    }
    if (problems.length() > 0) {
      System.out.println("rank " + comm.rank() + ": overlap check FAILED (seed " + seed + "):" + problems);
      return 3;
    }
    System.out.println("rank " + comm.rank() + ": overlap check ok");
    return 0;
  }

  private static void compare(Variant variant, float[] w, float[] ref, boolean bits, StringBuilder problems) {
    double scale = 0;
    for (float v : ref) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < w.length; i++) {
      boolean same = bits ? Float.floatToRawIntBits(w[i]) == Float.floatToRawIntBits(ref[i])
          : Math.abs(w[i] - ref[i]) <= 1e-6 * scale;
      if (!same) {
        problems.append(String.format("%n  %s: weight %d is %s, without overlap %s", variant, i, w[i], ref[i]));
        return;
      }
    }
  }

  private static float[] train(Communicator comm, Backend be, long seed, Variant variant, StringBuilder problems) {
    Model model = Model.build(MODEL, IN);
    Parameters params = new Parameters(model, be);
    params.initialize(seed + 1_000 * comm.rank()); // different on purpose: initialize() must broadcast rank 0's
    Sgd sgd = new Sgd(be, params.length(), 0.9f, false, 0.01f);
    try (SyncUpdate update = new SyncUpdate(comm, be, params, sgd, variant.bucketBytes(), variant.inPlace())) {
      int buckets = update.plan() == null ? 0 : update.plan().buckets().size();
      int expected = comm.size() == 1 ? 0 : variant.expectedBuckets();
      if (buckets != expected) {
        problems.append(String.format("%n  %s: %d buckets, expected %d", variant, buckets, expected));
      }
      update.initialize();
      StepExecutor executor = new StepExecutor(model, params, be, BATCH);
      executor.setGradientListener(update.gradientListener());
      Buf x = be.allocate((long) BATCH * IN); // [BATCH, IN]
      Buf dOut = be.allocate((long) BATCH * model.outputWidth()); // [BATCH, 11]
      SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (comm.rank() + 1)));
      for (int step = 0; step < STEPS; step++) {
        params.zeroGrads();
        be.upload(uniform(rnd, BATCH * IN), 0, x);
        executor.forward(x, BATCH);
        be.upload(uniform(rnd, BATCH * model.outputWidth()), 0, dOut);
        executor.backward(dOut, BATCH);
        StepStats stats = update.apply(new StepReport(1.5, 2, BATCH, 0.001), 0.05f);
        if (stats.rows() != (long) BATCH * comm.size() || stats.correct() != 2L * comm.size()) {
          problems.append(String.format("%n  %s: step figures rows=%d correct=%d", variant, stats.rows(),
              stats.correct()));
        }
      }
      return params.download();
    }
  }

  private static float[] uniform(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextDouble(-1, 1);
    }
    return a;
  }
}

package dev.lockstep.checkpointing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.checkpointing.SegmentPlan.Segment;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradient checkpointing on the CPU backend: every plan gives the exact bits of {@code segments: 0} (outputs and
 * the whole flat gradient buffer), allocates exactly its predicted peak once, and signals gradient ranges in
 * reverse layer order.
 */
class CheckpointedStepTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  /** 5 → 7 → tanh → 6 → gelu → 6 → sigmoid → 5 → relu → 4 → relu: every layer type, odd widths, 10 layers. */
  private static Model everyLayerType() {
    return Model.build(new ModelConfig(List.of(lin(7), act("tanh"), lin(6), act("gelu"), lin(6), act("sigmoid"),
        lin(5), act("relu"), lin(4), act("relu"))), 5);
  }

  private static LayerSpec lin(int units) {
    return new LayerSpec("linear", units, null);
  }

  private static LayerSpec act(String type) {
    return new LayerSpec(type, null, null);
  }

  /** What one step leaves behind: the output and the flat gradient buffer, as raw bits. */
  private record Step(int[] outputBits, int[] gradBits, int[] bufferBits) {}

  /**
   * Two steps accumulated into the gradients without zeroing between them (batch {@code batch}, then a smaller
   * one), so reuse of buffers across steps and batch sizes is part of what must match.
   */
  private Step run(Model model, SegmentPlan plan, Backend be, float[] x, float[] dy, int maxBatch, int batch) {
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    StepExecutor ex = new StepExecutor(model, p, be, maxBatch, plan);
    Buf xb = be.allocate(x.length);
    be.upload(x, 0, xb);
    Buf dyb = be.allocate(dy.length);
    be.upload(dy, 0, dyb);
    p.zeroGrads();
    float[] out = new float[batch * model.outputWidth()];
    be.download(ex.forward(xb, batch).view(0, out.length), out, 0);
    ex.backward(dyb, batch);
    int small = Math.max(1, batch / 2);
    ex.forward(xb, small);
    ex.backward(dyb, small);
    return new Step(bits(out), bits(p.downloadGrads()), bits(p.downloadBuffers()));
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }

  @Test
  void everySegmentationOfEveryLayerTypeGivesTheBitsOfKeepingEverything() {
    Backend be = CpuBackend.create(1);
    Model model = everyLayerType();
    int n = model.layers().size();
    int maxBatch = 5, batch = 3 + rng.nextInt(3);
    float[] x = TestSeed.uniform(rng, maxBatch * model.inputWidth(), -2, 2);
    float[] dy = TestSeed.uniform(rng, maxBatch * model.outputWidth(), -1, 1);
    Step reference = run(model, SegmentPlanner.keepEverything(model), be, x, dy, maxBatch, batch);
    int plans = 0;
    for (int k = 1; k <= n; k++) {
      Step chosen = run(model, SegmentPlanner.withSegments(model, k), be, x, dy, maxBatch, batch);
      assertThat(chosen.outputBits()).as("seed=%d planner k=%d output", seed, k).isEqualTo(reference.outputBits());
      assertThat(chosen.gradBits()).as("seed=%d planner k=%d gradients", seed, k).isEqualTo(reference.gradBits());
      for (List<Segment> segments : SegmentPlannerTest.allPlans(n, k)) {
        Step s = run(model, new SegmentPlan(model, segments, true), be, x, dy, maxBatch, batch);
        assertThat(s.gradBits()).as("seed=%d %s gradients", seed, segments).isEqualTo(reference.gradBits());
        plans++;
      }
    }
    assertThat(plans).isEqualTo(1 << (n - 1));
  }

  /**
   * Image layers, with dropout and batch norm in training passes: every plan gives the same bits, and batch norm's
   * running statistics are updated once per step whether or not its forward is recomputed.
   */
  @Test
  void everySegmentationOfAConvNetWithDropoutAndBatchNormGivesTheBitsOfKeepingEverything() {
    Backend be = CpuBackend.create(1);
    // [3, 7, 6] → conv 3x3/2 pad 1 → [4, 4, 3] → relu → batch_norm → max_pool 2 → [4, 2, 1] → dropout → flatten → 5
    Model model = Model.build(new ModelConfig(List.of(
        new LayerSpec("conv2d", null, null, null, null, 4, 3, 2, 1, null, null, null), act("relu"),
        new LayerSpec("batch_norm", null, null, null, null, null, null, null, null, null, null, 0.3),
        new LayerSpec("max_pool2d", null, null, null, null, null, 2, null, null, null, null, null),
        new LayerSpec("dropout", null, null, null, null, null, null, null, null, 0.4, null, null),
        act("tanh"), new LayerSpec("flatten", null, null), lin(5))), dev.lockstep.nn.FeatureShape.image(3, 7, 6));
    int n = model.layers().size();
    int maxBatch = 5, batch = 3 + rng.nextInt(3);
    float[] x = TestSeed.uniform(rng, maxBatch * model.inputWidth(), -2, 2);
    float[] dy = TestSeed.uniform(rng, maxBatch * model.outputWidth(), -1, 1);
    Step reference = run(model, SegmentPlanner.keepEverything(model), be, x, dy, maxBatch, batch);
    for (int k = 1; k <= n; k++) {
      for (List<Segment> segments : SegmentPlannerTest.allPlans(n, k)) {
        Step s = run(model, new SegmentPlan(model, segments, true), be, x, dy, maxBatch, batch);
        assertThat(s.outputBits()).as("seed=%d %s output", seed, segments).isEqualTo(reference.outputBits());
        assertThat(s.gradBits()).as("seed=%d %s gradients", seed, segments).isEqualTo(reference.gradBits());
        assertThat(s.bufferBits()).as("seed=%d %s running statistics", seed, segments)
            .isEqualTo(reference.bufferBits());
      }
    }
  }

  @Test
  void aWiderModelOnTwoBlasThreadsStaysBitIdenticalForEveryK() {
    Backend be = CpuBackend.create(2);
    List<LayerSpec> specs = new ArrayList<>();
    String[] acts = {"relu", "gelu", "tanh", "sigmoid"};
    for (int i = 0; i < 6; i++) {
      specs.add(lin(40 + rng.nextInt(60)));
      specs.add(act(acts[rng.nextInt(acts.length)]));
    }
    specs.add(lin(9));
    Model model = Model.build(new ModelConfig(specs), 37);
    int maxBatch = 33;
    float[] x = TestSeed.uniform(rng, maxBatch * 37, -1, 1);
    float[] dy = TestSeed.uniform(rng, maxBatch * 9, -1, 1);
    Step reference = run(model, SegmentPlanner.keepEverything(model), be, x, dy, maxBatch, maxBatch);
    for (int k = 1; k <= model.layers().size(); k++) {
      Step s = run(model, SegmentPlanner.withSegments(model, k), be, x, dy, maxBatch, maxBatch);
      assertThat(s.outputBits()).as("seed=%d k=%d output", seed, k).isEqualTo(reference.outputBits());
      assertThat(s.gradBits()).as("seed=%d k=%d gradients", seed, k).isEqualTo(reference.gradBits());
    }
  }

  @Test
  void allocatesExactlyThePredictedPeakOnceAndNothingPerStep() {
    CountingBackend be = new CountingBackend(CpuBackend.create(1));
    Model model = SegmentPlannerTest.mlp(12, 16, 5, 3);
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    for (int k = 0; k <= model.layers().size(); k++) {
      SegmentPlan plan = k == 0 ? SegmentPlanner.keepEverything(model) : SegmentPlanner.withSegments(model, k);
      int allocations = be.allocations;
      long floats = be.floatsAllocated;
      StepExecutor ex = new StepExecutor(model, p, be, 7, plan);
      assertThat((be.floatsAllocated - floats) * Float.BYTES).as("k=%d", k).isEqualTo(ex.activationBytes(7))
          .isEqualTo(plan.peakActivationBytes(7));
      Buf x = be.allocate(7 * 12);
      be.upload(TestSeed.uniform(rng, 7 * 12, -1, 1), 0, x);
      Buf dy = be.allocate(7 * 3);
      be.fill(dy, 0.5f);
      int before = be.allocations;
      for (int step = 0; step < 3; step++) {
        ex.forward(x, 7 - step);
        ex.backward(dy, 7 - step);
      }
      assertThat(be.allocations).as("k=%d", k).isEqualTo(before);
      assertThat(before - allocations).as("arena, two gradient buffers, x, dy").isEqualTo(5);
    }
  }

  @Test
  void gradientRangesAreSignalledInReverseLayerOrderWithCheckpointing() {
    Backend be = CpuBackend.create(1);
    Model model = everyLayerType();
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    List<LayerRange> expected = new ArrayList<>(p.layerRanges());
    Collections.reverse(expected);
    for (int k = 1; k <= model.layers().size(); k++) {
      StepExecutor ex = new StepExecutor(model, p, be, 2, SegmentPlanner.withSegments(model, k));
      List<LayerRange> seen = new ArrayList<>();
      ex.setGradientListener(seen::add);
      Buf x = be.allocate(10);
      be.fill(x, 0.3f);
      Buf dy = be.allocate(8);
      be.fill(dy, 0.1f);
      ex.forward(x, 2);
      ex.backward(dy, 2);
      assertThat(seen).as("k=%d", k).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aPlanForAnotherModelIsRefused() {
    Backend be = CpuBackend.create(1);
    Model model = everyLayerType();
    SegmentPlan other = SegmentPlanner.withSegments(SegmentPlannerTest.mlp(5, 8, 3, 3), 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new StepExecutor(model, new Parameters(model, be), be, 2, other))
        .hasMessage("step executor: the segment plan was made for another model");
  }
}

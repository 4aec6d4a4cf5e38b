package dev.lockstep.checkpointing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.checkpointing.SegmentPlan.Segment;
import dev.lockstep.config.CheckpointingConfig;
import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.nn.Model;
import dev.lockstep.tensor.TestSeed;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SegmentPlannerTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  /** in → [linear(h) → relu] × hidden → linear(out). */
  static Model mlp(int in, int h, int hidden, int out) {
    List<LayerSpec> specs = new ArrayList<>();
    for (int i = 0; i < hidden; i++) {
      specs.add(new LayerSpec("linear", h, null));
      specs.add(new LayerSpec("relu", null, null));
    }
    specs.add(new LayerSpec("linear", out, null));
    return Model.build(new ModelConfig(specs), in);
  }

  /** Random widths and every layer type, so boundaries have real choices to make. */
  private Model randomModel(int layers) {
    List<LayerSpec> specs = new ArrayList<>();
    String[] acts = {"relu", "tanh", "sigmoid", "gelu"};
    for (int i = 0; i < layers; i++) {
      boolean linear = i == 0 || rng.nextInt(3) > 0;
      specs.add(linear ? new LayerSpec("linear", 1 + rng.nextInt(40), null)
          : new LayerSpec(acts[rng.nextInt(acts.length)], null, null));
    }
    return Model.build(new ModelConfig(specs), 1 + rng.nextInt(30));
  }

  /**
   * Independent reference for the memory model: replays the executor's schedule (forward keeping only the
   * checkpoints of finished segments; backward recomputing each earlier segment's interior, freeing each output
   * once its layer's backward is done) and returns the most output floats per row alive at once.
   */
  static long simulatedPeakOutputs(Model model, List<Segment> segments) {
    Set<Integer> live = new HashSet<>();
    long peak = 0;
    for (int s = 0; s < segments.size(); s++) {
      Segment seg = segments.get(s);
      for (int i = seg.from(); i < seg.to(); i++) {
        live.add(i);
        peak = Math.max(peak, floats(model, live));
      }
      if (s < segments.size() - 1) {
        for (int i = seg.from(); i < seg.to() - 1; i++) {
          live.remove(i);
        }
      }
    }
    for (int s = segments.size() - 1; s >= 0; s--) {
      Segment seg = segments.get(s);
      for (int i = seg.from(); i < seg.to() - 1; i++) {
        live.add(i);
        peak = Math.max(peak, floats(model, live));
      }
      for (int i = seg.to() - 1; i >= seg.from(); i--) {
        live.remove(i);
      }
    }
    assertThat(live).isEmpty();
    return peak;
  }

  private static long floats(Model model, Set<Integer> live) {
    long n = 0;
    for (int i : live) {
      n += model.layers().get(i).outFeatures();
    }
    return n;
  }

  /** Every way to cut layers [0, n) into k non-empty consecutive segments. */
  static List<List<Segment>> allPlans(int n, int k) {
    List<List<Segment>> out = new ArrayList<>();
    collect(0, n, k, new ArrayList<>(), out);
    return out;
  }

  private static void collect(int from, int n, int k, List<Segment> prefix, List<List<Segment>> out) {
    if (k == 1) {
      List<Segment> plan = new ArrayList<>(prefix);
      plan.add(new Segment(from, n));
      out.add(plan);
      return;
    }
    for (int to = from + 1; to <= n - (k - 1); to++) {
      prefix.add(new Segment(from, to));
      collect(to, n, k - 1, prefix, out);
      prefix.remove(prefix.size() - 1);
    }
  }

  @Test
  void keepEverythingCountsEveryOutputAndTwoGradientBuffers() {
    // 784 → [2048 → relu] × 16 → 10 at batch 256: 32 outputs of 2048 and one of 10, scratch 2 × 2048.
    Model deep = mlp(784, 2048, 16, 10);
    SegmentPlan plan = SegmentPlanner.keepEverything(deep);
    assertThat(plan.checkpointed()).isFalse();
    assertThat(plan.segments()).containsExactly(new Segment(0, 33));
    assertThat(plan.peakActivationBytes(256)).isEqualTo(256L * 4 * (32 * 2048 + 10 + 2 * 2048));
    assertThat(plan.keepAllActivationBytes(256)).isEqualTo(plan.peakActivationBytes(256));
    assertThat(plan.recomputeCost()).isZero();
  }

  @Test
  void twoSegmentsOfASmallMlpMatchTheHandCount() {
    // linear(8) relu linear(8) relu linear(8) relu linear(3): outputs 8 8 8 8 8 8 3, scratch 2 × 8.
    // Cut after layer e-1: peak = max(8e, 8 + 8(6-e) + 3), smallest at e = 4: max(32, 27) = 32.
    Model m = mlp(5, 8, 3, 3);
    SegmentPlan plan = SegmentPlanner.withSegments(m, 2);
    assertThat(plan.segments()).containsExactly(new Segment(0, 4), new Segment(4, 7));
    assertThat(plan.peakActivationBytes(10)).isEqualTo(10L * 4 * (32 + 2 * 8));
    assertThat(plan.keepAllActivationBytes(10)).isEqualTo(10L * 4 * (51 + 2 * 8));
    // only segment 0's interior (linear(5→8), relu, linear(8→8)) is recomputed
    assertThat(plan.recomputeCost()).isEqualTo((2 * 48 + 8) + 8 + (2 * 72 + 8));
  }

  @Test
  void theDeepMlpAtSixSegmentsIsBelowTwoRootNOverNOfKeepingEverything() {
    // Checkpoints stack up, so later segments are shorter: peak ≈ 8 outputs of 2048 instead of 32.
    Model deep = mlp(784, 2048, 16, 10);
    SegmentPlan plan = SegmentPlanner.auto(deep, 256, 0);
    assertThat(plan.segments()).hasSize(6); // round(√33)
    long row = 256L * 4;
    assertThat(plan.peakActivationBytes(256)).isEqualTo(row * (8 * 2048 + 2 * 2048));
    double ratio = (double) plan.peakActivationBytes(256) / plan.keepAllActivationBytes(256);
    assertThat(ratio).isLessThanOrEqualTo(2 * Math.sqrt(33) / 33);
    assertThat(simulatedPeakOutputs(deep, plan.segments())).isEqualTo(8 * 2048);
  }

  @Test
  void theArenaIsExactlyThePeakOfTheExecutorsSchedule() {
    for (int trial = 0; trial < 20; trial++) {
      Model m = randomModel(1 + rng.nextInt(9));
      int n = m.layers().size();
      for (int k = 1; k <= n; k++) {
        for (List<Segment> segments : allPlans(n, k)) {
          SegmentPlan plan = new SegmentPlan(m, segments, true);
          assertThat(plan.peakActivationBytes(1) / 4 - 2 * plan.scratchRowFloats())
              .as("seed=%d %s %s", seed, m.describe(), segments)
              .isEqualTo(simulatedPeakOutputs(m, segments));
        }
      }
    }
  }

  @Test
  void withSegmentsFindsTheSmallestPeakAndThenTheLeastRecompute() {
    for (int trial = 0; trial < 30; trial++) {
      Model m = randomModel(1 + rng.nextInt(10));
      int n = m.layers().size();
      for (int k = 1; k <= n; k++) {
        long bestPeak = Long.MAX_VALUE, bestRecompute = Long.MAX_VALUE;
        for (List<Segment> segments : allPlans(n, k)) {
          SegmentPlan p = new SegmentPlan(m, segments, true);
          long peak = p.peakActivationBytes(1);
          if (peak < bestPeak || (peak == bestPeak && p.recomputeCost() < bestRecompute)) {
            bestPeak = peak;
            bestRecompute = p.recomputeCost();
          }
        }
        SegmentPlan chosen = SegmentPlanner.withSegments(m, k);
        assertThat(chosen.segments()).as("seed=%d %s k=%d", seed, m.describe(), k).hasSize(k);
        assertThat(chosen.peakActivationBytes(1)).as("seed=%d %s k=%d", seed, m.describe(), k).isEqualTo(bestPeak);
        assertThat(chosen.recomputeCost()).as("seed=%d %s k=%d", seed, m.describe(), k).isEqualTo(bestRecompute);
      }
    }
  }

  @Test
  void boundariesFollowWhatOutputsCostNotHowManyLayersThereAre() {
    // [linear(256) → relu → linear(8) → relu] × 4 → linear(4): a cut at a wide output stores 256 floats per row, at
    // a bottleneck 8. Counting layers (relus included) would cut every 17/4 layers, through wide outputs.
    List<LayerSpec> specs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      specs.addAll(List.of(new LayerSpec("linear", 256, null), new LayerSpec("relu", null, null),
          new LayerSpec("linear", 8, null), new LayerSpec("relu", null, null)));
    }
    specs.add(new LayerSpec("linear", 4, null));
    Model m = Model.build(new ModelConfig(specs), 32);
    SegmentPlan plan = SegmentPlanner.withSegments(m, 4);
    for (Segment s : plan.segments().subList(0, 3)) {
      assertThat(m.layers().get(s.to() - 1).outFeatures()).as("%s", plan.segments()).isEqualTo(8);
    }
    SegmentPlan byCount = new SegmentPlan(m, List.of(new Segment(0, 5), new Segment(5, 9), new Segment(9, 13),
        new Segment(13, 17)), true); // 17 layers in 5 + 4 + 4 + 4
    assertThat(byCount.peakActivationBytes(1)).isGreaterThan(plan.peakActivationBytes(1));
  }

  @Test
  void autoUsesRootNOrTheFewestSegmentsUnderTheLimit() {
    Model deep = mlp(784, 2048, 16, 10);
    SegmentPlan none = SegmentPlanner.keepEverything(deep);
    double keepAllMib = none.peakActivationBytes(256) / 1048576.0;
    // a limit that everything fits: no checkpointing
    assertThat(SegmentPlanner.auto(deep, 256, keepAllMib).checkpointed()).isFalse();
    // just below it: the fewest segments that fit, each the best plan for its k
    SegmentPlan justBelow = SegmentPlanner.auto(deep, 256, keepAllMib - 0.01);
    assertThat(justBelow.segments()).hasSize(2);
    double tight = (20 * 2048 * 256 * 4) / 1048576.0; // 18 outputs + 2 gradient buffers
    SegmentPlan fits = SegmentPlanner.auto(deep, 256, tight);
    assertThat(fits.peakActivationBytes(256)).isLessThanOrEqualTo((long) (tight * 1048576));
    assertThat(SegmentPlanner.withSegments(deep, fits.segments().size() - 1).peakActivationBytes(256))
        .isGreaterThan((long) (tight * 1048576));
    assertThatThrownBy(() -> SegmentPlanner.auto(deep, 256, 1))
        .hasMessageStartingWith("checkpointing.max_activation_mb: no plan fits 1 MiB per rank at batch 256; the "
            + "smallest needs");
  }

  @Test
  void fromConfigResolvesEverySetting() {
    Model m = mlp(5, 8, 3, 3);
    assertThat(SegmentPlanner.fromConfig(new CheckpointingConfig("0", 0.0), m, 4).checkpointed()).isFalse();
    assertThat(SegmentPlanner.fromConfig(new CheckpointingConfig("3", 0.0), m, 4).segments()).hasSize(3);
    assertThat(SegmentPlanner.fromConfig(new CheckpointingConfig("auto", 0.0), m, 4).segments()).hasSize(3);
    assertThat(SegmentPlanner.fromConfig(new CheckpointingConfig("7", 0.0), m, 4).segments()).hasSize(7);
    assertThatThrownBy(() -> SegmentPlanner.fromConfig(new CheckpointingConfig("8", 0.0), m, 4))
        .hasMessage("checkpointing.segments: 8 segments but the model has 7 layers (use 1 to 7, 0 or auto)");
    assertThatThrownBy(() -> SegmentPlanner.fromConfig(new CheckpointingConfig("0", 0.0001), m, 4))
        .hasMessageStartingWith("checkpointing.max_activation_mb: segments: 0 needs 1.05 KiB of activations per "
            + "rank at batch 4, over the limit of 1.0E-4 MiB; use segments: auto to fit it");
  }

  @Test
  void describeNamesEachSegmentsLayers() {
    Model m = mlp(5, 8, 3, 3);
    List<String> lines = SegmentPlanner.withSegments(m, 2).describe(m, 10);
    assertThat(lines).containsExactly(
        "checkpointing: 2 segments [0-3 | 4-6]",
        "  segment 1: layers 0-3: linear(5→8) → relu → linear(8→8) → relu",
        "  segment 2: layers 4-6: linear(8→8) → relu → linear(8→3) (not recomputed)",
        "predicted activation peak: 1.88 KiB per rank at batch 10 (every activation kept: 2.62 KiB)");
  }
}

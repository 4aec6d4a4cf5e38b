package dev.lockstep.checkpointing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.LayerSpec;
import dev.lockstep.config.ModelConfig;
import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.CrossEntropy;
import dev.lockstep.objective.Targets;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StepExecutorTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  /** 5 → 7 → tanh → 6 → gelu → 6 → sigmoid → 5 → relu → 4: every activation, odd widths. */
  private static Model model() {
    return Model.build(new ModelConfig(List.of(lin(7), act("tanh"), lin(6), act("gelu"), lin(6), act("sigmoid"),
        lin(5), act("relu"), lin(4))), 5);
  }

  private static LayerSpec lin(int units) {
    return new LayerSpec("linear", units, null);
  }

  private static LayerSpec act(String type) {
    return new LayerSpec(type, null, null);
  }

  /** One training step's gradients: forward, cross-entropy (mean over the batch), backward. */
  private float[] gradients(StepExecutor ex, Parameters p, Backend be, float[] x, int[] classes, int batch) {
    int in = p.model().inputWidth();
    int out = p.model().outputWidth();
    Buf xb = be.allocate((long) batch * in);
    be.upload(x, 0, xb);
    Buf yb = ex.forward(xb, batch);
    float[] y = new float[batch * out];
    be.download(yb, y, 0);
    float[] dy = new float[batch * out];
    new CrossEntropy().lossAndGradient(y, Targets.ofClasses(classes), batch, out, dy, 1f / batch);
    Buf dyb = be.allocate(dy.length);
    be.upload(dy, 0, dyb);
    p.zeroGrads();
    ex.backward(dyb, batch);
    return p.downloadGrads();
  }

  @Test
  void gradientsOfAWholeModelMatchFiniteDifferencesOfAFloat64Reference() {
    Backend be = CpuBackend.create(1);
    Model model = model();
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    int batch = 3;
    float[] x = TestSeed.uniform(rng, batch * model.inputWidth(), -2, 2);
    int[] classes = new int[batch];
    for (int r = 0; r < batch; r++) {
      classes[r] = rng.nextInt(model.outputWidth());
    }
    StepExecutor ex = new StepExecutor(model, p, be, 4);
    float[] grads = gradients(ex, p, be, x, classes, batch);

    double[] w = toDouble(p.download());
    double[] xd = toDouble(x);
    // forward agrees with the reference (so the reference is the same function)
    Buf xb = be.allocate(x.length);
    be.upload(x, 0, xb);
    float[] y = new float[batch * model.outputWidth()];
    be.download(ex.infer(xb, batch), y, 0);
    double[] yRef = ReferenceMlp.forward(model, w, xd, batch);
    for (int i = 0; i < y.length; i++) {
      assertThat((double) y[i]).as("seed=%d output %d", seed, i).isCloseTo(yRef[i], within(1e-5 * (1 + Math.abs(yRef[i]))));
    }
    double h = 1e-6;
    for (int j = 0; j < w.length; j++) {
      double saved = w[j];
      w[j] = saved + h;
      double up = ReferenceMlp.meanCrossEntropy(ReferenceMlp.forward(model, w, xd, batch), classes, batch, 4);
      w[j] = saved - h;
      double down = ReferenceMlp.meanCrossEntropy(ReferenceMlp.forward(model, w, xd, batch), classes, batch, 4);
      w[j] = saved;
      double fd = (up - down) / (2 * h);
      assertThat((double) grads[j]).as("seed=%d dparam[%d] in %s", seed, j, p.rangeAt(j).name())
          .isCloseTo(fd, within(2e-5 + 2e-4 * Math.abs(fd)));
    }
  }

  @Test
  void buffersAreAllocatedOnceAndSmallerBatchesUseTheirLeadingRows() {
    CountingBackend be = new CountingBackend(CpuBackend.create(1));
    Model model = model();
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    int maxBatch = 6;
    StepExecutor ex = new StepExecutor(model, p, be, maxBatch);
    float[] x = TestSeed.uniform(rng, maxBatch * 5, -2, 2);
    int[] classes = {0, 1, 2, 3, 0, 1};

    float[] full = gradients(ex, p, be, x, classes, maxBatch);
    int afterFirst = be.allocations;
    float[] small = gradients(ex, p, be, x, classes, 2);
    float[] fullAgain = gradients(ex, p, be, x, classes, maxBatch);
    // gradients() itself allocates its input and dy buffers: 2 per step, none from the executor
    assertThat(be.allocations - afterFirst).isEqualTo(4);
    assertThat(fullAgain).containsExactly(full);

    StepExecutor exactFit = new StepExecutor(model, p, be, 2);
    float[] smallRef = gradients(exactFit, p, be, x, classes, 2);
    for (int i = 0; i < small.length; i++) {
      assertThat(small[i]).as("seed=%d dparam[%d]", seed, i).isCloseTo(smallRef[i], within(1e-6f * (1 + Math.abs(smallRef[i]))));
    }
  }

  @Test
  void backwardAccumulatesAndSignalsRangesInReverseOrder() {
    Backend be = CpuBackend.create(1);
    Model model = model();
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    StepExecutor ex = new StepExecutor(model, p, be, 3);
    float[] x = TestSeed.uniform(rng, 15, -2, 2);
    int[] classes = {1, 2, 3};
    float[] once = gradients(ex, p, be, x, classes, 3);

    List<LayerRange> seen = new ArrayList<>();
    ex.setGradientListener(seen::add);
    Buf dy = be.allocate(12);
    be.fill(dy, 0.25f);
    Buf xb = be.allocate(15);
    be.upload(x, 0, xb);
    p.zeroGrads();
    ex.forward(xb, 3);
    ex.backward(dy, 3);
    float[] a = p.downloadGrads();
    ex.forward(xb, 3);
    ex.backward(dy, 3); // no zeroGrads: adds
    float[] twice = p.downloadGrads();
    for (int i = 0; i < a.length; i++) {
      assertThat(twice[i]).isCloseTo(2 * a[i], within(1e-6f * (1 + Math.abs(a[i]))));
    }
    List<LayerRange> reversed = new ArrayList<>(p.layerRanges());
    java.util.Collections.reverse(reversed);
    assertThat(seen.subList(0, reversed.size())).containsExactlyElementsOf(reversed);
    assertThat(once).isNotEqualTo(a);
  }

  @Test
  void misuseIsAClearError() {
    Backend be = CpuBackend.create(1);
    Model model = model();
    Parameters p = new Parameters(model, be);
    StepExecutor ex = new StepExecutor(model, p, be, 4);
    Buf x = be.allocate(20);
    Buf dy = be.allocate(16);
    assertThatThrownBy(() -> ex.backward(dy, 4)).hasMessageContaining("backward without a preceding forward");
    assertThatThrownBy(() -> ex.forward(x, 5)).hasMessageContaining("batch 5 outside [1, 4]");
    ex.forward(x, 4);
    assertThatThrownBy(() -> ex.backward(dy, 3)).hasMessageContaining("backward(batch=3) after forward(batch=4)");
    ex.infer(x, 4);
    assertThatThrownBy(() -> ex.backward(dy, 4)).hasMessageContaining("backward without a preceding forward");
    Parameters other = new Parameters(model(), be);
    assertThatThrownBy(() -> new StepExecutor(model, other, be, 4)).hasMessageContaining("another model");
  }

  @Test
  void activationBytesCountsOutputsAndGradientScratch() {
    Backend be = CpuBackend.create(1);
    Model model = model();
    StepExecutor ex = new StepExecutor(model, new Parameters(model, be), be, 8);
    // outputs 7+7+6+6+6+6+5+5+4 = 52 floats per row; two scratch rows of the widest inner input (7)
    assertThat(ex.activationBytes(8)).isEqualTo(8L * (52 + 2 * 7) * Float.BYTES);
    assertThat(ex.activationBytes(1)).isEqualTo((52 + 2 * 7) * Float.BYTES);
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}

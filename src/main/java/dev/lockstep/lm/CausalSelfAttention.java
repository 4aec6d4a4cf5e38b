package dev.lockstep.lm;

import dev.lockstep.nn.Layer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.SequenceKernels;
import java.util.Arrays;

/**
 * The attention core of a GPT block, without parameters (the q/k/v and output projections are linear layers
 * around it): x: [B, T, 3C] (per position q | k | v, each C = H heads × d channels) → y: [B, T, C] with, per
 * head, y_t = Σ_{s ≤ t} softmax_s(q_t·k_s / √d) v_s. Position t never sees s > t (causal). Backward recomputes
 * the attention weights from x, so the layer keeps no state between calls.
 */
public final class CausalSelfAttention implements Layer {
  private final int positions; // T
  private final int channels; // C
  private final int heads; // H
  private final int headSize; // d = C / H
  private final double scale; // 1/√d
  private final HostCopy xHost = new HostCopy();
  private final HostCopy dyHost = new HostCopy();
  private final HostCopy outHost = new HostCopy();
  private final double[] att; // [T] weights of one query row
  private final double[] dAtt; // [T]
  private final double[] acc; // [d] one output row
  private Buf weightScratch; // device path: [B, H, T, T] doubles, the weights of the last forward
  private Buf dzScratch; // device path: [B, H, T, T] doubles

  public CausalSelfAttention(int positions, int channels, int heads) {
    if (positions <= 0 || channels <= 0 || heads <= 0 || channels % heads != 0) {
      throw new IllegalArgumentException("attention needs T, C, H > 0 with H dividing C, got T=" + positions
          + " C=" + channels + " H=" + heads);
    }
    this.positions = positions;
    this.channels = channels;
    this.heads = heads;
    this.headSize = channels / heads;
    this.scale = 1.0 / Math.sqrt(headSize);
    this.att = new double[positions];
    this.dAtt = new double[positions];
    this.acc = new double[headSize];
  }

  @Override
  public String describe() {
    return "causal_attention(" + positions + "×" + channels + ", " + heads + " head" + (heads > 1 ? "s" : "") + ")";
  }

  @Override
  public int inFeatures() {
    return positions * 3 * channels;
  }

  @Override
  public int outFeatures() {
    return positions * channels;
  }

  @Override
  public int parameterCount() {
    return 0;
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, T, 3C] → y: [B, T, C]
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      k.attentionForward(x, y, scratch(be, batch, false), batch, positions, heads, headSize);
      return;
    }
    float[] qkv = xHost.get(be, x, (long) batch * inFeatures());
    int n = batch * outFeatures();
    float[] out = outHost.array(n);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        for (int t = 0; t < positions; t++) {
          weights(qkv, b, h, t);
          int yo = (b * positions + t) * channels + h * headSize;
          java.util.Arrays.fill(acc, 0.0);
          for (int u = 0; u <= t; u++) { // y_t = Σ_u a_tu v_u, v rows read contiguously
            double w = att[u];
            int vo = offset(b, u, 2, h);
            for (int i = 0; i < headSize; i++) {
              acc[i] += w * qkv[vo + i];
            }
          }
          for (int i = 0; i < headSize; i++) {
            out[yo + i] = (float) acc[i];
          }
        }
      }
    }
    HostCopy.put(be, out, y, n);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // dv_s += a_ts dy_t; da_ts = dy_t·v_s; dz_ts = a_ts (da_ts − Σ_u a_tu da_tu); dq_t += dz_ts k_s/√d; dk_s += dz_ts q_t/√d
    if (dx == null) {
      return; // no parameters: nothing to accumulate
    }
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      k.attentionBackward(x, dy, scratch(be, batch, false), scratch(be, batch, true), dx, batch, positions, heads,
          headSize);
      return;
    }
    float[] qkv = xHost.get(be, x, (long) batch * inFeatures());
    float[] g = dyHost.get(be, dy, (long) batch * outFeatures());
    int n = batch * inFeatures();
    float[] dqkv = outHost.array(n);
    Arrays.fill(dqkv, 0, n, 0f);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        for (int t = 0; t < positions; t++) {
          weights(qkv, b, h, t);
          int go = (b * positions + t) * channels + h * headSize;
          double dot = 0;
          for (int u = 0; u <= t; u++) {
            int vo = offset(b, u, 2, h);
            double d = 0;
            for (int i = 0; i < headSize; i++) {
              d += g[go + i] * (double) qkv[vo + i];
              dqkv[vo + i] += (float) (att[u] * g[go + i]);
            }
            dAtt[u] = d;
            dot += att[u] * d;
          }
          int qo = offset(b, t, 0, h);
          for (int u = 0; u <= t; u++) {
            double dz = att[u] * (dAtt[u] - dot) * scale;
            int ko = offset(b, u, 1, h);
            for (int i = 0; i < headSize; i++) {
              dqkv[qo + i] += (float) (dz * qkv[ko + i]);
              dqkv[ko + i] += (float) (dz * qkv[qo + i]);
            }
          }
        }
      }
    }
    HostCopy.put(be, dqkv, dx, n);
  }

  /** att[0..t] = softmax over s ≤ t of q_t·k_s/√d for batch row b, head h. */
  private void weights(float[] qkv, int b, int h, int t) {
    int qo = offset(b, t, 0, h);
    double max = Double.NEGATIVE_INFINITY;
    for (int u = 0; u <= t; u++) {
      int ko = offset(b, u, 1, h);
      double s = 0;
      for (int i = 0; i < headSize; i++) {
        s += qkv[qo + i] * (double) qkv[ko + i];
      }
      att[u] = s * scale;
      max = Math.max(max, att[u]);
    }
    double sum = 0;
    for (int u = 0; u <= t; u++) {
      att[u] = Math.exp(att[u] - max);
      sum += att[u];
    }
    for (int u = 0; u <= t; u++) {
      att[u] /= sum;
    }
  }

  /**
   * Device path: the attention weights kept from forward for backward, or backward's dz scratch; allocated at the
   * first (largest) batch, so a recorded step never allocates.
   */
  private Buf scratch(Backend be, int batch, boolean dz) {
    long floats = SequenceKernels.attentionScratchFloats(batch, positions, heads);
    Buf b = dz ? dzScratch : weightScratch;
    if (b == null || b.length() < floats) {
      b = be.allocate(floats);
      if (dz) {
        dzScratch = b;
      } else {
        weightScratch = b;
      }
    }
    return b;
  }

  /** Offset of head h's slice of part (0 = q, 1 = k, 2 = v) at position t of batch row b. */
  private int offset(int b, int t, int part, int h) {
    return ((b * positions + t) * 3 + part) * channels + h * headSize;
  }

  /** On the host (through {@link HostCopy}) unless the backend has sequence kernels. */
  @Override
  public boolean replayable(Backend be) {
    return be.sequenceKernels() != null;
  }
}

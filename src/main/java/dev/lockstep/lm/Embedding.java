package dev.lockstep.lm;

import dev.lockstep.nn.Layer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.SequenceKernels;
import java.util.SplittableRandom;

/**
 * Token embedding: x: [B, T] token ids stored as floats → y: [B, T·C], y[b, t, :] = table[x[b, t], :]
 * (+ pos[t, :] when positional). Parameters: table [V, C], then pos [T, C]. Backward scatter-adds dy into the
 * table rows of the ids that were looked up; ids have no gradient (dx, if asked for, is zero).
 */
public final class Embedding implements Layer {
  private final int positions; // T
  private final int vocab; // V
  private final int channels; // C
  private final boolean positional;
  private Buf params; // [V·C (+ T·C)]
  private Buf grads;
  private Buf gradStaging; // [params] host-computed gradient, added to grads with one axpy
  private final HostCopy ids = new HostCopy();
  private final HostCopy table = new HostCopy();
  private final HostCopy dyHost = new HostCopy();
  private float[] out = new float[0];
  private float[] dTable = new float[0];

  public Embedding(int positions, int vocab, int channels, boolean positional) {
    if (positions <= 0 || vocab <= 0 || channels <= 0) {
      throw new IllegalArgumentException("embedding needs positive sizes, got T=" + positions + " V=" + vocab
          + " C=" + channels);
    }
    this.positions = positions;
    this.vocab = vocab;
    this.channels = channels;
    this.positional = positional;
  }

  @Override
  public String describe() {
    return "embedding(" + vocab + "→" + channels + (positional ? ", +positions " : ", ") + positions + ")";
  }

  @Override
  public int inFeatures() {
    return positions;
  }

  @Override
  public int outFeatures() {
    return positions * channels;
  }

  @Override
  public int parameterCount() {
    return (vocab + (positional ? positions : 0)) * channels;
  }

  @Override
  public void bind(Buf params, Buf grads) {
    this.params = params;
    this.grads = grads;
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    // N(0, 1/C)-ish rows (Box–Muller via Init.HE with fanIn 2C gives std √(1/C)).
    dev.lockstep.nn.Init.HE.fill(dst, offset, parameterCount(), 2 * channels, channels, rng);
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, T] ids, w: [V, C] (+ [T, C]) → y: [B, T, C]
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      k.embeddingForward(x, params.view(0, (long) vocab * channels), positionRows(params), y, batch * positions,
          positions, channels);
      return;
    }
    float[] id = ids.get(be, x, (long) batch * positions);
    float[] w = table.get(be, params, parameterCount());
    int n = batch * positions * channels;
    if (out.length < n) {
      out = new float[n];
    }
    int posBase = vocab * channels;
    for (int r = 0; r < batch * positions; r++) {
      int token = tokenAt(id, r);
      System.arraycopy(w, token * channels, out, r * channels, channels);
      if (positional) {
        int p = posBase + (r % positions) * channels;
        for (int c = 0; c < channels; c++) {
          out[r * channels + c] += w[p + c];
        }
      }
    }
    HostCopy.put(be, out, y, n);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // dy: [B, T, C] → dTable[id] += dy[b, t]; dPos[t] += Σ_b dy[b, t]; dx (ids) = 0
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      k.embeddingBackward(x, dy, grads.view(0, (long) vocab * channels), positionRows(grads), batch * positions,
          positions, vocab, channels);
      if (dx != null) {
        be.fill(dx.view(0, (long) batch * positions), 0f);
      }
      return;
    }
    float[] id = ids.get(be, x, (long) batch * positions);
    float[] g = dyHost.get(be, dy, (long) batch * positions * channels);
    int count = parameterCount();
    if (dTable.length < count) {
      dTable = new float[count];
      gradStaging = be.allocate(count);
    }
    java.util.Arrays.fill(dTable, 0, count, 0f);
    int posBase = vocab * channels;
    for (int r = 0; r < batch * positions; r++) {
      int token = tokenAt(id, r);
      int p = posBase + (r % positions) * channels;
      for (int c = 0; c < channels; c++) {
        float v = g[r * channels + c];
        dTable[token * channels + c] += v;
        if (positional) {
          dTable[p + c] += v;
        }
      }
    }
    HostCopy.put(be, dTable, gradStaging, count);
    be.axpy(1f, gradStaging.view(0, count), grads);
    if (dx != null) {
      be.fill(dx.view(0, (long) batch * positions), 0f);
    }
  }

  /** The [T, C] position rows after the table in a params or grads slice, or null without positions. */
  private Buf positionRows(Buf slice) {
    return positional ? slice.view((long) vocab * channels, (long) positions * channels) : null;
  }

  private int tokenAt(float[] id, int r) {
    float v = id[r];
    int token = (int) v;
    if (token != v || token < 0 || token >= vocab) {
      throw new IllegalArgumentException(describe() + ": input " + v + " at position " + r
          + " is not a token id in [0, " + vocab + ")");
    }
    return token;
  }

  /** On the host (through {@link HostCopy}) unless the backend has sequence kernels. */
  @Override
  public boolean replayable(Backend be) {
    return be.sequenceKernels() != null;
  }
}

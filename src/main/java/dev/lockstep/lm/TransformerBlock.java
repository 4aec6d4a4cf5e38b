package dev.lockstep.lm;

import dev.lockstep.nn.ActivationLayer;
import dev.lockstep.nn.Init;
import dev.lockstep.nn.Layer;
import dev.lockstep.nn.Linear;
import dev.lockstep.tensor.Activation;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One pre-LN GPT block as a single layer, x: [B, T·C] → y: [B, T·C]:
 * r = x + proj(attn(qkv(ln1(x)))); y = r + fc2(gelu(fc(ln2(r)))), the MLP 4C wide. Its parameters are its
 * sub-layers' in order ln1 | qkv | proj | ln2 | fc | fc2. The block keeps its intermediate activations from
 * the last forward (buffers grown to the largest batch seen); backward uses them, so backward must follow a
 * forward of the same x, as every executor does (a checkpointing executor recomputes the forward first).
 */
public final class TransformerBlock implements Layer {
  private final int positions; // T
  private final int channels; // C
  private final int heads;
  private final LayerNorm ln1;
  private final PerPosition qkv; // C → 3C
  private final CausalSelfAttention attn; // [T, 3C] → [T, C]
  private final PerPosition proj; // C → C
  private final LayerNorm ln2;
  private final PerPosition fc; // C → 4C
  private final ActivationLayer gelu;
  private final PerPosition fc2; // 4C → C
  private final List<Layer> parts;
  private int capacity; // rows the buffers below hold
  private Buf a1, q, att, p, r, a2, h, g, m; // forward activations, [cap, T·width]
  private Buf dr, small1, small2, big1, big2; // backward scratch

  public TransformerBlock(int positions, int channels, int heads) {
    this.positions = positions;
    this.channels = channels;
    this.heads = heads;
    ln1 = new LayerNorm(positions, channels);
    qkv = new PerPosition(new Linear(channels, 3 * channels, Init.XAVIER), positions);
    attn = new CausalSelfAttention(positions, channels, heads);
    proj = new PerPosition(new Linear(channels, channels, Init.XAVIER), positions);
    ln2 = new LayerNorm(positions, channels);
    fc = new PerPosition(new Linear(channels, 4 * channels, Init.XAVIER), positions);
    gelu = new ActivationLayer(Activation.GELU, positions * 4 * channels);
    fc2 = new PerPosition(new Linear(4 * channels, channels, Init.XAVIER), positions);
    parts = List.of(ln1, qkv, proj, ln2, fc, fc2);
  }

  @Override
  public String describe() {
    return "transformer_block(" + positions + "×" + channels + ", " + heads + " head" + (heads > 1 ? "s" : "") + ")";
  }

  @Override
  public int inFeatures() {
    return positions * channels;
  }

  @Override
  public int outFeatures() {
    return positions * channels;
  }

  @Override
  public int parameterCount() {
    int n = 0;
    for (Layer l : parts) {
      n += l.parameterCount();
    }
    return n;
  }

  @Override
  public void bind(Buf params, Buf grads) {
    long offset = 0;
    for (Layer l : parts) {
      l.bind(params.view(offset, l.parameterCount()), grads.view(offset, l.parameterCount()));
      offset += l.parameterCount();
    }
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    for (Layer l : parts) {
      l.initialize(dst, offset, rng.split());
      offset += l.parameterCount();
    }
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, T·C] → y: [B, T·C]
    ensureCapacity(be, batch);
    long n = (long) batch * positions * channels;
    ln1.forward(be, x, a1, batch); // a1: [B, T·C]
    qkv.forward(be, a1, q, batch); // q: [B, T·3C]
    attn.forward(be, q, att, batch); // att: [B, T·C]
    proj.forward(be, att, p, batch); // p: [B, T·C]
    be.copy(x.view(0, n), r.view(0, n));
    be.axpy(1f, p.view(0, n), r.view(0, n)); // r = x + p
    ln2.forward(be, r, a2, batch);
    fc.forward(be, a2, h, batch); // h: [B, T·4C]
    gelu.forward(be, h, g, batch);
    fc2.forward(be, g, m, batch); // m: [B, T·C]
    be.copy(r.view(0, n), y.view(0, n));
    be.axpy(1f, m.view(0, n), y.view(0, n)); // y = r + m
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // dy: [B, T·C]; mirrors forward in reverse, accumulating every sub-layer's parameter gradients
    long n = (long) batch * positions * channels;
    fc2.backward(be, g, m, dy, big1, batch); // dg
    gelu.backward(be, h, g, big1, big1, batch); // dh (in place)
    fc.backward(be, a2, h, big1, small1, batch); // da2
    ln2.backward(be, r, a2, small1, small2, batch);
    be.copy(dy.view(0, n), dr.view(0, n));
    be.axpy(1f, small2.view(0, n), dr.view(0, n)); // dr = dy + dln2
    proj.backward(be, att, p, dr, small1, batch); // datt
    attn.backward(be, q, att, small1, big2, batch); // dq: [B, T·3C]
    qkv.backward(be, a1, q, big2, small1, batch); // da1
    ln1.backward(be, x, a1, small1, small2, batch);
    if (dx != null) {
      be.copy(dr.view(0, n), dx.view(0, n));
      be.axpy(1f, small2.view(0, n), dx.view(0, n)); // dx = dr + dln1
    }
  }

  private void ensureCapacity(Backend be, int batch) {
    if (batch <= capacity) {
      return;
    }
    long c = (long) batch * positions * channels;
    a1 = be.allocate(c);
    q = be.allocate(3 * c);
    att = be.allocate(c);
    p = be.allocate(c);
    r = be.allocate(c);
    a2 = be.allocate(c);
    h = be.allocate(4 * c);
    g = be.allocate(4 * c);
    m = be.allocate(c);
    dr = be.allocate(c);
    small1 = be.allocate(c);
    small2 = be.allocate(c);
    big1 = be.allocate(4 * c);
    big2 = be.allocate(4 * c);
    capacity = batch;
  }

  @Override
  public boolean replayable(Backend be) {
    return parts.stream().allMatch(l -> l.replayable(be));
  }
}

package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The model's parameters as one flat buffer on a backend, with a gradient buffer of the same layout (DESIGN §3).
 * Each layer sees views of both, at offsets in layer order. One instance per rank.
 */
public final class Parameters {
  private final Model model;
  private final Backend be;
  private final int length;
  private final Buf params; // [length]
  private final Buf grads; // [length], same layout
  private final List<LayerRange> ranges;
  private final int bufferLength;
  private final Buf buffers; // [bufferLength] non-trained state (batch norm's running statistics); null when 0
  private final List<LayerRange> bufferRanges;

  /** Allocates both buffers (zeroed) and binds every layer to its views. */
  public Parameters(Model model, Backend be) {
    long total = model.parameterCount();
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("model has " + total + " parameters; at most " + (Integer.MAX_VALUE - 8)
          + " fit one flat buffer");
    }
    this.model = model;
    this.be = be;
    this.length = (int) total;
    this.params = be.allocate(length);
    this.grads = be.allocate(length);
    List<LayerRange> list = new ArrayList<>();
    long offset = 0;
    List<Layer> layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      int n = layer.parameterCount();
      if (n > 0) {
        layer.bind(params.view(offset, n), grads.view(offset, n));
        list.add(new LayerRange(i, layer.describe(), offset, n));
        offset += n;
      }
    }
    this.ranges = List.copyOf(list);
    long bufferTotal = 0;
    for (Layer layer : layers) {
      bufferTotal += layer.bufferCount();
    }
    this.bufferLength = Math.toIntExact(bufferTotal);
    this.buffers = bufferLength > 0 ? be.allocate(bufferLength) : null;
    List<LayerRange> bufferList = new ArrayList<>();
    offset = 0;
    for (int i = 0; i < layers.size(); i++) {
      int n = layers.get(i).bufferCount();
      if (n > 0) {
        layers.get(i).bindBuffers(buffers.view(offset, n));
        bufferList.add(new LayerRange(i, layers.get(i).describe(), offset, n));
        offset += n;
      }
    }
    this.bufferRanges = List.copyOf(bufferList);
  }

  /** Floats of non-trained layer state (batch norm's running statistics); 0 for most models. */
  public int bufferLength() {
    return bufferLength;
  }

  /** The layers that own buffers, in buffer order. */
  public List<LayerRange> bufferRanges() {
    return bufferRanges;
  }

  public float[] downloadBuffers() {
    float[] host = new float[bufferLength];
    if (bufferLength > 0) {
      be.download(buffers, host, 0);
    }
    return host;
  }

  public void uploadBuffers(float[] host) {
    if (host.length != bufferLength) {
      throw new IllegalArgumentException("buffer upload of " + host.length + " floats into a model with "
          + bufferLength);
    }
    if (bufferLength > 0) {
      be.upload(host, 0, buffers);
    }
  }

  public Model model() {
    return model;
  }

  public Buf params() {
    return params;
  }

  public Buf grads() {
    return grads;
  }

  public int length() {
    return length;
  }

  /** The layers that own parameters, in buffer order; together they cover [0, length) without overlap. */
  public List<LayerRange> layerRanges() {
    return ranges;
  }

  /** The range holding flat position {@code position}, e.g. for "first bad parameter block: linear(784→128)". */
  public LayerRange rangeAt(long position) {
    for (LayerRange r : ranges) {
      if (r.contains(position)) {
        return r;
      }
    }
    throw new IndexOutOfBoundsException("position " + position + " outside parameters of length " + length);
  }

  /**
   * Seeded initialisation on the host, then one upload. Each layer draws from its own stream, split from
   * {@code SplittableRandom(seed)} in layer order: the same seed gives the same bits on every rank.
   */
  public void initialize(long seed) {
    float[] host = new float[length];
    SplittableRandom root = new SplittableRandom(seed);
    List<Layer> layers = model.layers();
    for (LayerRange r : ranges) {
      layers.get(r.layerIndex()).initialize(host, (int) r.offset(), root.split());
    }
    be.upload(host, 0, params);
    float[] initial = new float[bufferLength];
    for (LayerRange r : bufferRanges) {
      layers.get(r.layerIndex()).initializeBuffers(initial, (int) r.offset());
    }
    uploadBuffers(initial);
  }

  public void zeroGrads() {
    be.fill(grads, 0f);
  }

  public float[] download() {
    float[] host = new float[length];
    be.download(params, host, 0);
    return host;
  }

  public float[] downloadGrads() {
    float[] host = new float[length];
    be.download(grads, host, 0);
    return host;
  }

  public void upload(float[] host) {
    if (host.length != length) {
      throw new IllegalArgumentException("parameter upload of " + host.length + " floats into a model of " + length);
    }
    be.upload(host, 0, params);
  }

  /**
   * 64-bit hash of the exact bits of the parameters (and of the buffers, when the model has any); replicas in
   * lockstep have equal checksums.
   */
  public long checksum() {
    long h = checksum(download());
    return bufferLength == 0 ? h : h * 31 + checksum(downloadBuffers());
  }

  /**
   * FNV-1a over 32-bit words (the raw float bits, so -0.0 ≠ 0.0 and NaN payloads count), then a murmur3
   * finaliser. Each word step is a bijection of the state, so changing any single value changes the hash.
   */
  public static long checksum(float[] values) {
    long h = 0xcbf29ce484222325L ^ values.length;
    for (float v : values) {
      h ^= Float.floatToRawIntBits(v) & 0xffffffffL;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}

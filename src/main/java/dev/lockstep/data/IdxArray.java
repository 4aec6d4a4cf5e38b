package dev.lockstep.data;

/**
 * The contents of one IDX file: its dimensions and its values, either unsigned bytes (type 0x08, what
 * MNIST-style files use; kept as raw bytes so 47 MB of pixels stay 47 MB) or floats (type 0x0D).
 * Dimension 0 counts the items (images, labels); the rest multiply to the width of one item.
 */
public final class IdxArray {
  public static final int TYPE_UBYTE = 0x08;
  public static final int TYPE_FLOAT = 0x0D;

  private final String source;
  private final int type;
  private final int[] dims;
  private final byte[] ubytes; // [count * itemWidth] when type is 0x08, else null
  private final float[] floats; // [count * itemWidth] when type is 0x0D, else null

  IdxArray(String source, int type, int[] dims, byte[] ubytes, float[] floats) {
    this.source = source;
    this.type = type;
    this.dims = dims.clone();
    this.ubytes = ubytes;
    this.floats = floats;
  }

  /** The file this came from, as given to the reader; used in error messages. */
  public String source() {
    return source;
  }

  /** {@link #TYPE_UBYTE} or {@link #TYPE_FLOAT}. */
  public int type() {
    return type;
  }

  public int[] dims() {
    return dims.clone();
  }

  /** Number of items: dimension 0. */
  public int count() {
    return dims[0];
  }

  /** Values per item: the product of dimensions 1.. (1 for a 1-D file such as labels). */
  public int itemWidth() {
    int w = 1;
    for (int i = 1; i < dims.length; i++) {
      w *= dims[i];
    }
    return w;
  }

  /** Raw unsigned bytes (read with {@code & 0xFF}), or null when the file holds floats. */
  public byte[] ubytes() {
    return ubytes;
  }

  /** Float values, or null when the file holds unsigned bytes. */
  public float[] floats() {
    return floats;
  }

  /** Value {@code i} in row-major order, whatever the stored type. */
  public double value(int i) {
    return type == TYPE_UBYTE ? (ubytes[i] & 0xFF) : floats[i];
  }
}

package dev.lockstep.nn;

/** Where one layer's parameters sit in the flat buffer: layer index in the model, name, [offset, offset+length). */
public record LayerRange(int layerIndex, String name, long offset, long length) {
  public boolean contains(long position) {
    return position >= offset && position < offset + length;
  }
}

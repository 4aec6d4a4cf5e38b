package dev.lockstep.nn;

/**
 * A layer whose input shape does not fit it, found while building the model: {@link #keyPath()} names the layer's
 * config key ({@code model.layers[2]}), the message says both shapes.
 */
public final class LayerShapeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String keyPath;
  private final String detail;

  public LayerShapeException(String keyPath, String detail) {
    super(keyPath + ": " + detail);
    this.keyPath = keyPath;
    this.detail = detail;
  }

  public String keyPath() {
    return keyPath;
  }

  /** The message without the key path. */
  public String detail() {
    return detail;
  }
}

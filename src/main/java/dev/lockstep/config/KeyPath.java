package dev.lockstep.config;

/**
 * Key paths as users read them: {@code optimizer.lr}, {@code model.layers[2].units}; the root is "".
 * Plain strings, so they can key maps and appear in messages unchanged.
 */
final class KeyPath {
  private KeyPath() {}

  static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  static String element(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** The enclosing path ({@code a.b[2].c} → {@code a.b[2]} → {@code a.b} → {@code a} → ""), "" for the root. */
  static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  /** True when {@code path} is {@code prefix} or lies inside it. */
  static boolean isWithin(String path, String prefix) {
    if (prefix.isEmpty() || path.equals(prefix)) {
      return true;
    }
    return path.startsWith(prefix) && (path.charAt(prefix.length()) == '.' || path.charAt(prefix.length()) == '[');
  }
}

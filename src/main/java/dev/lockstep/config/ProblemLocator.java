package dev.lockstep.config;

import java.util.List;
import java.util.Optional;

/**
 * Says where a problem came from, as the start of its message: {@code configs/x.yaml:12: } for a key in the
 * file, {@code --set optimizer.lr=-1: } for a value from the command line. A key the file leaves out is placed
 * at its nearest enclosing key and marked {@code (not set)}: the default, or nothing, was used.
 */
public final class ProblemLocator {
  /** An override and the key path it set. */
  record Applied(ConfigOverride override, String path) {}

  private final String source;
  private final YamlLines lines;
  private final List<Applied> overrides;

  ProblemLocator(String source, YamlLines lines, List<Applied> overrides) {
    this.source = source;
    this.lines = lines;
    this.overrides = List.copyOf(overrides);
  }

  /** {@code p} as one line, prefixed with where its key was set. */
  public String describe(ConfigProblem p) {
    for (int i = overrides.size() - 1; i >= 0; i--) { // the last --set of a key is the one that counts
      Applied a = overrides.get(i);
      if (KeyPath.isWithin(p.path(), a.path())) {
        return a.override().where() + p;
      }
    }
    Optional<Integer> line = lines.line(p.path());
    if (line.isPresent()) {
      return source + ":" + line.get() + ": " + p;
    }
    for (String up = KeyPath.parent(p.path()); !up.isEmpty(); up = KeyPath.parent(up)) {
      Optional<Integer> enclosing = lines.line(up);
      if (enclosing.isPresent()) {
        return source + ":" + enclosing.get() + ": " + p + " (not set)";
      }
    }
    return source + ": " + p + " (not set)";
  }
}

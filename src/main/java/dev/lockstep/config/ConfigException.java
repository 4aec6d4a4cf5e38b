package dev.lockstep.config;

import java.util.List;

/**
 * A config that cannot be used. {@link #getMessage()} is one line that says where (file:line, or the
 * {@code --set} that caused it), which key path, and what is wrong; {@link #lines()} holds every problem found,
 * one line each, first one equal to the message.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> lines;

  public ConfigException(String line) {
    this(List.of(line));
  }

  public ConfigException(List<String> lines) {
    super(lines.get(0));
    this.lines = List.copyOf(lines);
  }

  /** Every problem, one line each (at least one). */
  public List<String> lines() {
    return lines;
  }
}

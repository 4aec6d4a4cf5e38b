package dev.lockstep.config;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * The effective config as YAML: every key with the value a run uses (defaults filled in), snake_case, in the
 * order the records declare. {@link ConfigLoader} reads it back to an equal record.
 */
public final class ConfigWriter {
  private ConfigWriter() {}

  public static String toYaml(LockstepConfig config) {
    try {
      return ConfigMapper.MAPPER.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config records must always serialize", e);
    }
  }
}

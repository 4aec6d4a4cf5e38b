package dev.lockstep.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helper: a YAML file written one line per argument (so line N of the file is argument N). */
final class YamlFile {
  /** The smallest valid model, for tests about other sections (lines 1-3). */
  static final String[] MODEL = {"model:", "  layers:", "    - {type: linear, units: 10}"};

  private YamlFile() {}

  static Path write(Path dir, String... lines) {
    try {
      return Files.writeString(dir.resolve("cfg.yaml"), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #MODEL} followed by {@code more} (so the first of {@code more} is line 4). */
  static Path withModel(Path dir, String... more) {
    String[] all = new String[MODEL.length + more.length];
    System.arraycopy(MODEL, 0, all, 0, MODEL.length);
    System.arraycopy(more, 0, all, MODEL.length, more.length);
    return write(dir, all);
  }

  /** The one-line message loading {@code file} fails with. */
  static String error(Path file, String... overrides) {
    ConfigException[] caught = new ConfigException[1];
    assertThatThrownBy(() -> ConfigLoader.load(file, List.of(overrides)))
        .isInstanceOfSatisfying(ConfigException.class, e -> caught[0] = e);
    String message = caught[0].getMessage();
    if (message.contains("\n")) {
      throw new AssertionError("message is not one line: " + message);
    }
    return message;
  }
}

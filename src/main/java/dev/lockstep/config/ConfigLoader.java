package dev.lockstep.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a config: YAML text → tree → {@code --set} overrides → strict binding to {@link LockstepConfig} →
 * {@link ConfigValidator} → linear-layer inits filled in. Every failure is a {@link ConfigException} whose
 * message names the file and line (or the {@code --set}) and the key path.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Loads {@code file} with no overrides. */
  public static LockstepConfig load(Path file) {
    return load(file, List.of());
  }

  /**
   * Loads {@code file}, applies {@code overrides} ({@code key.path=value}, later ones win) and validates.
   *
   * @throws ConfigException naming file:line or the override, and the key path
   */
  public static LockstepConfig load(Path file, List<String> overrides) {
    return loadLocated(file, overrides).config();
  }

  /**
   * A config and where each of its keys was set: checks made later (data files, run.out_dir, in the launcher's
   * preflight) name the file and line of the key they concern.
   */
  public record Located(LockstepConfig config, ProblemLocator where) {}

  /** As {@link #load(Path, List)}, keeping where each key came from. */
  public static Located loadLocated(Path file, List<String> overrides) {
    if (!Files.exists(file)) {
      throw new ConfigException("no such config file: " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("not a config file (a directory?): " + file);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (MalformedInputException e) {
      throw new ConfigException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    return fromYamlLocated(text, file.toString(), overrides);
  }

  /**
   * Loads config YAML held in memory; {@code source} names it in messages (a file name, or e.g. "effective config").
   *
   * @throws ConfigException as {@link #load(Path, List)}
   */
  public static LockstepConfig fromYaml(String yaml, String source, List<String> overrides) {
    return fromYamlLocated(yaml, source, overrides).config();
  }

  /** As {@link #fromYaml}, keeping where each key came from. */
  public static Located fromYamlLocated(String yaml, String source, List<String> overrides) {
    ObjectNode tree = parse(yaml, source);
    List<ProblemLocator.Applied> applied = new ArrayList<>();
    for (String o : overrides) {
      ConfigOverride override = ConfigOverride.parse(o);
      applied.add(new ProblemLocator.Applied(override, override.applyTo(tree)));
    }
    ProblemLocator where = new ProblemLocator(source, YamlLines.of(yaml), applied);
    ExplicitNulls.find(tree).ifPresent(p -> {
      throw new ConfigException(where.describe(p));
    });
    LockstepConfig config;
    try {
      config = ConfigMapper.MAPPER.treeToValue(tree, LockstepConfig.class);
    } catch (JacksonException e) {
      throw new ConfigException(where.describe(BindingErrors.problem(e, tree)));
    }
    List<ConfigProblem> problems = ConfigValidator.problems(config);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.stream().map(where::describe).toList());
    }
    return new Located(LayerInitDefaults.fillIn(config), where);
  }

  /**
   * A problem found after loading (a layer shape that needs the data's shape), placed like a validation problem:
   * file:line of {@code path} (or the --set that set it).
   */
  public static ConfigException located(Path file, List<String> overrides, String path, String message) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      return new ConfigException(file + ": " + path + ": " + message);
    }
    List<ProblemLocator.Applied> applied = new ArrayList<>();
    ObjectNode tree = parse(yaml, file.toString());
    for (String o : overrides) {
      ConfigOverride override = ConfigOverride.parse(o);
      applied.add(new ProblemLocator.Applied(override, override.applyTo(tree)));
    }
    return new ConfigException(new ProblemLocator(file.toString(), YamlLines.of(yaml), applied)
        .describe(new ConfigProblem(path, message)));
  }

  /** The YAML as a tree: exactly one document whose top level is a mapping; no duplicate keys. */
  private static ObjectNode parse(String yaml, String source) {
    try (JsonParser p = ConfigMapper.MAPPER.createParser(yaml)) {
      if (p.nextToken() == null) {
        throw new ConfigException(source + ": empty config; expected a mapping of sections ("
            + String.join(", ", ConfigSchema.keysOf(LockstepConfig.class)) + ")");
      }
      int firstLine = p.currentTokenLocation().getLineNr();
      JsonNode tree = ConfigMapper.MAPPER.readTree(p);
      if (tree == null || tree.isNull() || tree.isMissingNode()) {
        throw new ConfigException(source + ": empty config; expected a mapping of sections ("
            + String.join(", ", ConfigSchema.keysOf(LockstepConfig.class)) + ")");
      }
      if (!(tree instanceof ObjectNode obj)) {
        throw new ConfigException(source + ":" + firstLine + ": the top level must be a mapping of sections ("
            + String.join(", ", ConfigSchema.keysOf(LockstepConfig.class)) + "), got " + BindingErrors.render(tree));
      }
      if (p.nextToken() != null) {
        throw new ConfigException(source + ":" + p.currentTokenLocation().getLineNr()
            + ": a second YAML document; a config is one document");
      }
      return obj;
    } catch (StreamReadException e) {
      throw new ConfigException(syntaxError(source, yaml, e));
    } catch (IOException e) {
      throw new ConfigException(source + ": cannot parse: " + e.getMessage());
    }
  }

  private static String syntaxError(String source, String yaml, StreamReadException e) {
    if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
      return source + ":" + (y.getProblemMark().getLine() + 1) + ": YAML syntax error: " + y.getProblem();
    }
    JsonLocation loc = e.getLocation();
    String at = loc != null && loc.getLineNr() > 0 ? source + ":" + loc.getLineNr() : source;
    String message = e.getOriginalMessage().lines().findFirst().orElse("");
    String path = e.getProcessor() != null ? YamlLines.pathOf(e.getProcessor().getParsingContext()) : "";
    if (message.startsWith("Duplicate field") && !path.isEmpty()) {
      String first = YamlLines.of(yaml).line(path).map(l -> " (first at line " + l + ")").orElse("");
      return at + ": " + path + ": duplicate key" + first;
    }
    return at + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}

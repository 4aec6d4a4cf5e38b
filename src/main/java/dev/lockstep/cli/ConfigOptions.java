package dev.lockstep.cli;

import dev.lockstep.config.ConfigLoader;
import dev.lockstep.config.LockstepConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options that name a config: the file and its command-line overrides. Mixed into every command that reads one. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = {"The run's YAML config. A documented one to copy:", "  configs/fashion-mnist-mlp.yaml"})
  Path file;

  @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
      description = {
          "Override one config key; repeatable, later ones win. The value is read as YAML and checked like "
              + "the file; list elements go by number:",
          "  --set optimizer.lr=0.1",
          "  --set data.shuffle=false",
          "  --set model.layers.0.units=512"})
  List<String> overrides = new ArrayList<>();

  /** The validated config; a {@link dev.lockstep.config.ConfigException} says what is wrong and where. */
  LockstepConfig load() {
    return ConfigLoader.load(file, overrides);
  }

  /**
   * The model's layer shapes against the data's sample shape, before any rank starts: a layer whose input does not
   * fit is a config error at its key. Data that cannot be read here is left to the ranks, which report it.
   */
  static void checkModelShapes(Path file, List<String> overrides, LockstepConfig cfg) {
    try {
      dev.lockstep.train.InputShape.checkModel(cfg);
    } catch (dev.lockstep.nn.LayerShapeException e) {
      throw ConfigLoader.located(file, overrides, e.keyPath(), e.detail());
    } catch (dev.lockstep.data.DataException e) {
      // the ranks load the data and report this with the usual data error
    }
  }
}

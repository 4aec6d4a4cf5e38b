package dev.lockstep.data;

import dev.lockstep.config.DataConfig;

/**
 * How raw values become features, applied once at load: none (x), unit (x/255), standard ((x/255 - mean)/std).
 * Computed in double and rounded once to float, so a float64 reference reproduces it exactly.
 */
public record Normalization(Kind kind, double mean, double std) {
  public enum Kind { NONE, UNIT, STANDARD }

  public Normalization {
    if (!Double.isFinite(mean)) {
      throw new DataException("data.mean: must be a finite number, got " + mean);
    }
    if (kind == Kind.STANDARD && !(std > 0 && Double.isFinite(std))) {
      throw new DataException("data.std: must be a positive finite number for normalize: standard, got " + std);
    }
  }

  public static Normalization none() {
    return new Normalization(Kind.NONE, 0, 1);
  }

  public static Normalization unit() {
    return new Normalization(Kind.UNIT, 0, 1);
  }

  public static Normalization standard(double mean, double std) {
    return new Normalization(Kind.STANDARD, mean, std);
  }

  public static Normalization of(DataConfig cfg) {
    return switch (cfg.normalize()) {
      case "none" -> none();
      case "unit" -> unit();
      case "standard" -> standard(cfg.mean(), cfg.std());
      default -> throw new DataException("data.normalize: unknown value '" + cfg.normalize()
          + "' (expected none, unit or standard)");
    };
  }

  public float apply(double raw) {
    return switch (kind) {
      case NONE -> (float) raw;
      case UNIT -> (float) (raw / 255.0);
      case STANDARD -> (float) ((raw / 255.0 - mean) / std);
    };
  }
}

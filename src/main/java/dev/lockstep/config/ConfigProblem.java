package dev.lockstep.config;

/** One thing wrong with a config: the key path it concerns ({@code model.layers[2].units}) and what is wrong. */
public record ConfigProblem(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}

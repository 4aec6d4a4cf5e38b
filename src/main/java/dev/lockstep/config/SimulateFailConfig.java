package dev.lockstep.config;

/**
 * simulate.fail: rank {@code rank} fails at (1-based) step {@code step}, after its backward pass and before the
 * update: {@code exit} (System.exit(1)), {@code throw} (an exception), {@code hang} (sleeps forever), {@code nan}
 * (a NaN in its gradients), or {@code none} (the default: no failure).
 */
public record SimulateFailConfig(Integer rank, Long step, String how) {
  public SimulateFailConfig {
    rank = rank != null ? rank : 0;
    step = step != null ? step : 0L;
    how = how != null ? how : "none";
  }

  public boolean enabled() {
    return !how.equals("none");
  }
}

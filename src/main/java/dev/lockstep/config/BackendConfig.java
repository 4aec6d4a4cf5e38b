package dev.lockstep.config;

/** backend: device auto | cpu | cuda; BLAS threads per rank (0 = cores / ranks on this machine); tf32 on GPU. */
public record BackendConfig(String device, Integer threads, Boolean tf32) {
  public BackendConfig {
    device = device != null ? device : "auto";
    threads = threads != null ? threads : 0;
    tf32 = tf32 != null ? tf32 : false;
  }
}

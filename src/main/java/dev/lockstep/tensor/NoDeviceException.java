package dev.lockstep.tensor;

/** The config demands a device this machine does not have (exit code 4). */
public final class NoDeviceException extends RuntimeException {
  public NoDeviceException(String message) {
    super(message);
  }
}

package dev.lockstep.data;

/**
 * Bad or unreadable input data. The message is one line that names the file (or the dataset and the config
 * key) and says what is wrong, so the CLI can print it as is and exit with the "bad data" code.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }
}

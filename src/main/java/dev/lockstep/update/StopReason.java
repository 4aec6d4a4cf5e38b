package dev.lockstep.update;

/** Why an asynchronous phase ended; both end the epoch on every rank. */
enum StopReason {
  /** Still running. */
  NONE,
  /** A rank ran out of data (or reached max_steps): nobody waits for a straggler's remaining batches. */
  DATA_DONE,
  /** auto: the skew stayed under recover_ratio for a window; the next epoch runs synchronously. */
  RECOVERED;

  static StopReason of(float code) {
    return values()[(int) code];
  }
}

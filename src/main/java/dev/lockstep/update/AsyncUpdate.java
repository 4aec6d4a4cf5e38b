package dev.lockstep.update;

/**
 * An asynchronous strategy whose phases auto can run: besides the steps, it says why its last phase ended, and — when
 * auto's recovery rule ended it — the reason to log.
 */
interface AsyncUpdate extends UpdateStrategy {
  /** Why the last phase ended (NONE while it runs). */
  StopReason stopReason();

  /** The recovery rule's reason when it ended the phase; null otherwise (and where the rank cannot know it). */
  String recoveredReason();
}

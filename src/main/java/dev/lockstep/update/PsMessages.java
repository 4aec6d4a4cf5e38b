package dev.lockstep.update;

/**
 * Message layouts of the parameter server. A push is [gradient (n) | header], a reply is [weights (n) | header]; the
 * small figures ride as floats after the vector so each exchange is one message each way.
 */
final class PsMessages {
  static final int TAG_PUSH = 7201, TAG_REPLY = 7202;

  // push header, after the gradient
  static final int VERSION = 0, LR = 1, COMPUTE = 2, LOSS = 3, CORRECT = 4, ROWS = 5, KIND = 6;
  static final int PUSH_HEADER = 7;
  static final float KIND_GRADIENT = 0, KIND_DONE = 1;

  // reply header, after the weights: the new version, why the phase stops (StopReason), and the figures of every
  // gradient the server took (from any rank) since this rank's previous reply
  static final int R_VERSION = 0, R_STOP = 1, R_LOSS = 2, R_CORRECT = 3, R_ROWS = 4;
  static final int REPLY_HEADER = 5;

  private PsMessages() {}
}

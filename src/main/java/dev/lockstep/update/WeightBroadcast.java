package dev.lockstep.update;

import dev.lockstep.comm.Communicator;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;

/** Collective: every rank's weights become rank 0's (one broadcast of the flat parameter buffer). */
final class WeightBroadcast {
  private WeightBroadcast() {}

  static void fromRank0(Communicator comm, Backend backend, Parameters params) {
    float[] weights = new float[params.length()]; // [n]
    backend.download(params.params(), weights, 0);
    comm.broadcast(weights, 0, weights.length, 0);
    backend.upload(weights, 0, params.params());
  }
}

package dev.lockstep.tensor;

/**
 * A SUM-allreduce of device buffers among the ranks' GPUs (NCCL), enqueued on the backend's stream: the gradients
 * never visit host memory. Every rank calls it with the same lengths, in the same order; the result is the same
 * on every rank.
 */
public interface DeviceAllreduce extends AutoCloseable {
  /** buf = Σ over ranks of buf, in place (asynchronous: later operations on the stream see the sum). */
  void sumInPlace(Buf buf);

  /** E.g. "nccl 2.27.3 over 2 GPUs", for logs. */
  String describe();

  @Override
  void close();
}

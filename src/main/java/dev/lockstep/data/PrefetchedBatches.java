package dev.lockstep.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * A rank's training batches, the next one gathered on a background thread while the current step runs (gathering
 * a shuffled batch of 8192 rows is milliseconds; a GPU step can be less). Two batch buffers take turns: the one
 * {@link #next} returns stays untouched until the following call, the other is being filled. The order of batches,
 * epoch ends and {@link #stepInEpoch} are exactly those of the wrapped {@link TrainBatches}; a batch fetched ahead
 * and never delivered (the epoch cut short) is dropped at the next {@link #seek}. Errors of the data pipeline
 * surface at {@link #next}. One thread per rank, owned by this object: {@link #close} it.
 */
public final class PrefetchedBatches implements AutoCloseable {
  private record Fetched(Batch batch, boolean filled, int stepAfter) {}

  private final TrainBatches inner;
  private final Batch[] buffers;
  private final ExecutorService thread;
  private Future<Fetched> pending;
  private int spare; // index of the buffer the next fetch fills
  private int delivered; // the step the next delivered batch is, as inner.stepInEpoch() counts

  /** @param newBatch makes one batch buffer (called twice) */
  public PrefetchedBatches(TrainBatches inner, Supplier<Batch> newBatch, String threadName) {
    this.inner = inner;
    this.buffers = new Batch[] {newBatch.get(), newBatch.get()};
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  public int stepsPerEpoch() {
    return inner.stepsPerEpoch();
  }

  /** As {@link TrainBatches#seek}: waits for (and drops) a fetch in flight, then starts fetching the first batch. */
  public void seek(int epoch, int stepInEpoch) {
    drop();
    inner.seek(epoch, stepInEpoch);
    delivered = inner.stepInEpoch();
    fetchAhead();
  }

  /**
   * The next batch of this rank (valid until the next call), or null when the epoch is over; starts gathering the
   * one after it.
   */
  public Batch next() {
    if (pending == null) {
      return null; // the epoch ended at the last call
    }
    Fetched f = await(pending);
    pending = null;
    if (!f.filled()) {
      return null;
    }
    delivered = f.stepAfter();
    spare ^= 1; // the buffer just delivered is in use until the next call; the other one is free again
    fetchAhead();
    return f.batch();
  }

  /** The step within the epoch that the next delivered batch is (as {@link TrainBatches#stepInEpoch}). */
  public int stepInEpoch() {
    return delivered;
  }

  @Override
  public void close() {
    drop();
    thread.shutdownNow();
  }

  private void fetchAhead() {
    Batch into = buffers[spare];
    pending = thread.submit(() -> {
      boolean filled = inner.next(into);
      return new Fetched(into, filled, inner.stepInEpoch());
    });
  }

  private void drop() {
    if (pending != null) {
      try {
        pending.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a batch", e);
      } catch (ExecutionException e) {
        // a batch nobody will use: its error does not matter
      }
      pending = null;
    }
  }

  private static Fetched await(Future<Fetched> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}

package dev.lockstep.train;

import dev.lockstep.tensor.Backend;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs the device part of a training step either eagerly or as a recorded graph (a CUDA graph on the GPU), one
 * graph per step shape: a key holds everything the recording captures by value (rows, gradient scale, ...).
 * A shape runs eagerly {@code warmupRuns} times first (scratch memory gets its size, the JIT settles), is then
 * recorded once and replayed from then on; a new shape (the epoch's last short batch, a mode switch) gets its own
 * graph, and beyond {@code maxGraphs} the least recently used is dropped. If the backend cannot record (the CPU
 * backend), or a recording fails, every later step runs eagerly, said once.
 */
final class StepGraphs<K> implements AutoCloseable {
  private final Function<Runnable, Backend.Replay> recorder;
  private final int warmupRuns;
  private final int maxGraphs;
  private final Consumer<String> say;
  private final Map<K, Integer> eagerRuns = new HashMap<>();
  private final LinkedHashMap<K, Backend.Replay> graphs = new LinkedHashMap<>(16, 0.75f, true); // LRU order
  private boolean eagerOnly;
  private int recordings;
  private long replays;

  /** @param recorder records a step's work for replay ({@link Backend#capture}), null when it cannot */
  StepGraphs(Function<Runnable, Backend.Replay> recorder, int warmupRuns, int maxGraphs, Consumer<String> say) {
    if (warmupRuns < 1 || maxGraphs < 1) {
      throw new IllegalArgumentException("step graphs: warm-up runs and graphs must be >= 1, got " + warmupRuns
          + " and " + maxGraphs);
    }
    this.recorder = recorder;
    this.warmupRuns = warmupRuns;
    this.maxGraphs = maxGraphs;
    this.say = say;
  }

  /** A step whose graphs are never used (the host path, or a step that waits for the device inside). */
  static <K> StepGraphs<K> eager() {
    StepGraphs<K> g = new StepGraphs<>(work -> null, 1, 1, line -> {});
    g.eagerOnly = true;
    return g;
  }

  /** Runs one step of shape {@code key}: replays its graph, or runs {@code work} (recording it when due). */
  void run(K key, Runnable work) {
    if (eagerOnly) {
      work.run();
      return;
    }
    Backend.Replay graph = graphs.get(key);
    if (graph != null) {
      graph.launch();
      replays++;
      return;
    }
    int runs = eagerRuns.merge(key, 1, Integer::sum);
    if (runs <= warmupRuns) {
      work.run();
      return;
    }
    try {
      graph = recorder.apply(work);
    } catch (RuntimeException e) {
      eagerOnly = true;
      say.accept("cuda graphs: recording the step failed (" + e.getMessage() + "); running every step eagerly");
      work.run();
      return;
    }
    if (graph == null) {
      eagerOnly = true; // this backend records nothing
      work.run();
      return;
    }
    recordings++;
    graphs.put(key, graph);
    if (graphs.size() > maxGraphs) {
      Iterator<Map.Entry<K, Backend.Replay>> eldest = graphs.entrySet().iterator();
      Backend.Replay dropped = eldest.next().getValue();
      eldest.remove();
      dropped.close();
    }
    graph.launch(); // recording ran nothing: this step runs now
    replays++;
  }

  /** Graphs recorded so far (a shape dropped and seen again is recorded again). */
  int recordings() {
    return recordings;
  }

  long replays() {
    return replays;
  }

  /** True once steps only run eagerly (no recorder, or a recording failed). */
  boolean eagerOnly() {
    return eagerOnly;
  }

  @Override
  public void close() {
    for (Backend.Replay g : graphs.values()) {
      g.close();
    }
    graphs.clear();
  }
}

package dev.lockstep.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockstep.checkpointing.SegmentPlan;
import dev.lockstep.comm.Communicator;
import dev.lockstep.metrics.PhaseTimer;
import dev.lockstep.metrics.PhaseTimer.Phase;
import dev.lockstep.update.ReplicaCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** summary.json: the run's final figures, with every rank's time split and weight checksum (gathered). */
final class RunSummary {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final Map<String, Object> fields = new LinkedHashMap<>();
  private String headline = "accuracy"; // the test figure the console line shows

  private RunSummary() {}

  /** Collective: every rank calls it; the result is complete on every rank. */
  static RunSummary gather(Communicator comm, long checksum, PhaseTimer timer, long steps, long samples,
                           double trainSeconds, double lastLoss, Evaluator.Result eval, double wallSeconds) {
    long[] checksums = ReplicaCheck.gather(comm, checksum);
    double[] compute = comm.allgather(timer.totalSeconds(Phase.COMPUTE));
    double[] communication = comm.allgather(timer.totalSeconds(Phase.COMMUNICATION));
    double[] wait = comm.allgather(timer.totalSeconds(Phase.WAIT));
    RunSummary s = new RunSummary();
    s.fields.put("ranks", comm.size());
    s.fields.put("steps", steps);
    s.fields.put("samples", samples);
    s.fields.put("train_seconds", trainSeconds);
    s.fields.put("wall_seconds", wallSeconds);
    s.fields.put("samples_per_s", samples / trainSeconds);
    s.fields.put("final_train_loss", lastLoss);
    if (eval != null) {
      // test_<metric> for each figure of the task (test_accuracy, test_per_class_accuracy, test_rmse, ...)
      eval.metrics().forEach((name, value) -> s.fields.put("test_" + name, value));
      s.fields.put("test_loss", eval.meanLoss());
      s.fields.put("test_samples", eval.samples());
      s.headline = eval.task() == Task.REGRESSION ? "r2" : "accuracy";
    }
    boolean identical = true;
    List<Map<String, Object>> perRank = new ArrayList<>();
    for (int r = 0; r < comm.size(); r++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rank", r);
      m.put("compute_s", compute[r]);
      m.put("communication_s", communication[r]);
      m.put("wait_s", wait[r]);
      m.put("weights_checksum", String.format("%016x", checksums[r]));
      perRank.add(m);
      identical &= checksums[r] == checksums[0];
    }
    s.fields.put("replicas_identical", identical);
    s.fields.put("per_rank", perRank);
    return s;
  }

  /**
   * The activation memory of each rank's step executor (bytes alive at the peak, exact: see SegmentPlan) and the
   * checkpointing plan that gave it.
   */
  void checkpointing(SegmentPlan plan, int batchPerRank) {
    fields.put("activation_peak_bytes", plan.peakActivationBytes(batchPerRank));
    fields.put("checkpointing", plan.toMap(batchPerRank));
  }

  /** Adds a field (e.g. the update strategy's own figures). */
  void put(String key, Object value) {
    fields.put(key, value);
  }

  /** The figures as summary.json holds them (read-only). */
  Map<String, Object> fields() {
    return java.util.Collections.unmodifiableMap(fields);
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(fields);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  String consoleLine() {
    Object figure = fields.get("test_" + headline);
    return String.format(Locale.ROOT, "done: %d steps in %.1f s | %.0f samples/s | test %s %s | replicas %s",
        (Long) fields.get("steps"), (Double) fields.get("train_seconds"), (Double) fields.get("samples_per_s"),
        headline, figure instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : "-",
        Boolean.TRUE.equals(fields.get("replicas_identical")) ? "identical" : "DIFFER");
  }
}

package dev.lockstep.cli;

import dev.lockstep.checkpointing.SegmentPlan;
import dev.lockstep.checkpointing.SegmentPlanner;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.data.DataException;
import dev.lockstep.data.IdxReader;
import dev.lockstep.nn.Model;
import java.nio.file.Path;
import java.util.List;

/**
 * The checkpointing plan a config gives, as YAML comment lines that {@code config show} appends (so its output
 * stays a config lockstep reads back). The model's input width comes from the training images' IDX header.
 */
final class CheckpointingPlanComment {
  private CheckpointingPlanComment() {}

  /** Comment lines, each ending in a newline; an IllegalArgumentException when the plan cannot be made. */
  static String of(LockstepConfig cfg) {
    Path images = Path.of(cfg.data().dir()).resolve(cfg.data().trainImages());
    int width;
    try {
      width = IdxReader.itemWidth(images);
    } catch (DataException e) {
      return "# checkpointing plan: not computed, the model's input width comes from the data (" + e.getMessage()
          + ")\n";
    }
    Model model = Model.build(cfg.model(), dev.lockstep.train.InputShape.of(cfg.data(), width));
    int batch = cfg.data().batchSize();
    SegmentPlan plan = SegmentPlanner.fromConfig(cfg.checkpointing(), model, batch);
    List<String> lines = plan.describe(model, batch);
    StringBuilder s = new StringBuilder("# checkpointing plan for segments: " + cfg.checkpointing().segments()
        + " (computed, not config; input width " + width + ", layers numbered from 0):\n");
    for (String line : lines) {
      s.append("#   ").append(line).append('\n');
    }
    return s.toString();
  }
}

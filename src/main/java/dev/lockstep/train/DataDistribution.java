package dev.lockstep.train;

import dev.lockstep.comm.Communicator;
import dev.lockstep.config.DataConfig;
import dev.lockstep.data.DataException;
import dev.lockstep.data.Dataset;
import dev.lockstep.data.Datasets;
import dev.lockstep.data.TrainTest;
import java.util.ArrayList;
import java.util.List;

/**
 * How the ranks get the train and test splits ({@code data.source}): local, each rank loads them itself (on a
 * cluster the files must be at the same path on every host); broadcast, rank 0 loads them and sends them to the
 * others, so only rank 0's host needs the files. If rank 0 cannot load them, every rank stops (exit 2) rather
 * than waiting for a broadcast that never comes.
 *
 * <p>Only float broadcasts exist, so shapes and string lengths travel first as longs (an allreduce to which the
 * other ranks add zeros), class labels travel as floats (exact below 2^24) and strings as UTF-16 code units.
 */
final class DataDistribution {
  /** Floats per broadcast call: keeps each message a few MB whatever the dataset size. */
  private static final int CHUNK = 1 << 20;
  /** Every int below this is exact as a float. */
  static final int MAX_FLOAT_LABEL = 1 << 24;

  private DataDistribution() {}

  /** The two splits, on every rank. Collective when {@code data.source} is broadcast and there are 2+ ranks. */
  static TrainTest load(DataConfig cfg, Communicator comm) {
    if (!cfg.source().equals("broadcast") || comm.size() == 1) {
      return Datasets.load(cfg);
    }
    TrainTest data = LeadSetup.run(comm, () -> {
      TrainTest loaded = Datasets.load(cfg);
      checkLabelsFit(loaded.train());
      return loaded;
    });
    Dataset train = broadcast(comm, data == null ? null : data.train());
    Dataset test = broadcast(comm, data == null ? null : data.test());
    return data != null ? data : new TrainTest(train, test);
  }

  /** Class ids travel as floats: every id must be exact as one (test ids are below the training class count). */
  static void checkLabelsFit(Dataset train) {
    if (train.hasLabels() && train.numClasses() > MAX_FLOAT_LABEL) {
      throw new DataException("data.source: broadcast sends class ids as floats, exact only below " + MAX_FLOAT_LABEL
          + "; the training data has " + train.numClasses() + " classes: use data.source local");
    }
  }

  /** Rank 0's {@code d} on every rank ({@code d} is null elsewhere; rank 0 gets its own object back). */
  private static Dataset broadcast(Communicator comm, Dataset d) {
    boolean lead = comm.rank() == 0;
    List<String> strings = new ArrayList<>(); // [name, class names...]
    if (lead) {
      strings.add(d.name());
      strings.addAll(d.classNames());
    }
    // header: [hasLabels, size, width, numClasses, targetWidth, strings, length of each string...]
    long[] count = {lead ? strings.size() : 0};
    comm.allreduceSum(count);
    long[] header = new long[5 + (int) count[0]];
    if (lead) {
      header[0] = d.hasLabels() ? 1 : 0;
      header[1] = d.size();
      header[2] = d.width();
      header[3] = d.numClasses();
      header[4] = d.targetWidth();
      for (int i = 0; i < strings.size(); i++) {
        header[5 + i] = strings.get(i).length();
      }
    }
    comm.allreduceSum(header);
    boolean labels = header[0] == 1;
    int size = (int) header[1], width = (int) header[2], numClasses = (int) header[3];
    int targetWidth = (int) header[4];

    float[] features = lead ? d.features() : new float[Math.multiplyExact(size, width)]; // [size, width]
    broadcastChunked(comm, features);
    float[] targets; // [size] class ids, or [size, targetWidth] values
    if (lead) {
      targets = labels ? toFloats(d.labels()) : d.values();
    } else {
      targets = new float[labels ? size : Math.multiplyExact(size, targetWidth)];
    }
    broadcastChunked(comm, targets);
    int chars = 0;
    for (int i = 5; i < header.length; i++) {
      chars = Math.addExact(chars, (int) header[i]);
    }
    float[] text = new float[chars]; // every string's UTF-16 code units, one after another
    if (lead) {
      int at = 0;
      for (String s : strings) {
        for (int i = 0; i < s.length(); i++) {
          text[at++] = s.charAt(i);
        }
      }
    }
    broadcastChunked(comm, text);
    if (lead) {
      return d;
    }
    List<String> received = new ArrayList<>();
    int at = 0;
    for (int i = 5; i < header.length; i++) {
      char[] cs = new char[(int) header[i]];
      for (int j = 0; j < cs.length; j++) {
        cs[j] = (char) text[at++];
      }
      received.add(new String(cs));
    }
    String name = received.get(0);
    if (!labels) {
      return Dataset.ofValues(name, features, targets, width, targetWidth);
    }
    int[] ids = new int[size];
    for (int i = 0; i < size; i++) {
      ids[i] = (int) targets[i];
    }
    Dataset out = new Dataset(name, features, ids, width, numClasses);
    return received.size() > 1 ? out.withClassNames(received.subList(1, received.size())) : out;
  }

  private static float[] toFloats(int[] ids) {
    float[] out = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }

  private static void broadcastChunked(Communicator comm, float[] buf) {
    for (int off = 0; off < buf.length; off += CHUNK) {
      comm.broadcast(buf, off, Math.min(CHUNK, buf.length - off), 0);
    }
  }
}

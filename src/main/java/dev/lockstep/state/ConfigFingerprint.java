package dev.lockstep.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of an effective config that decides the training trajectory, as flat {@code key.path → value} pairs and
 * a SHA-256 over them. Keys that may differ between a snapshot and the run resuming from it are left out: how long
 * to train (run.epochs, run.max_steps), restarts (run.max_restarts), naming and output (run.name, run.out_dir, output.*), deadlines (comm.*),
 * injected failures (simulate.*), BLAS threads, replica-check interval and the non-finite policy.
 */
public final class ConfigFingerprint {
  /** Exact keys, or prefixes ending in '.', that a resumed run may change. */
  public static final List<String> MAY_CHANGE = List.of("run.name", "run.epochs", "run.max_steps", "run.out_dir",
      "run.max_restarts",
      "output.", "comm.", "simulate.", "backend.threads", "update.check_every", "update.on_nonfinite");

  private static final YAMLMapper YAML = new YAMLMapper();

  private ConfigFingerprint() {}

  /** "sha256:<hex>" of the trajectory-deciding keys of an effective config. */
  public static String hash(String effectiveYaml) {
    StringBuilder text = new StringBuilder();
    relevant(effectiveYaml).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line per differing trajectory-deciding key: {@code optimizer.lr: 0.05 in the snapshot, 0.1 now}. */
  public static List<String> differences(String snapshotYaml, String currentYaml) {
    Map<String, String> was = relevant(snapshotYaml);
    Map<String, String> now = relevant(currentYaml);
    List<String> out = new ArrayList<>();
    for (String key : new TreeSet<>(union(was, now))) {
      String a = was.get(key), b = now.get(key);
      if (a == null || b == null || !a.equals(b)) {
        out.add(key + ": " + (a == null ? "absent" : a) + " in the snapshot, " + (b == null ? "absent" : b) + " now");
      }
    }
    return out;
  }

  static Map<String, String> relevant(String effectiveYaml) {
    Map<String, String> flat = new TreeMap<>();
    try {
      flatten("", YAML.readTree(effectiveYaml), flat);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SnapshotException("the snapshot's config is not valid YAML: " + e.getOriginalMessage());
    }
    flat.keySet().removeIf(ConfigFingerprint::mayChange);
    return flat;
  }

  static boolean mayChange(String key) {
    for (String m : MAY_CHANGE) {
      if (m.endsWith(".") ? key.startsWith(m) : key.equals(m)) {
        return true;
      }
    }
    return false;
  }

  private static void flatten(String path, JsonNode node, Map<String, String> into) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
          e.getValue(), into));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "." + i, node.get(i), into);
      }
    } else {
      into.put(path, node.asText());
    }
  }

  private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.Set<String> s = new java.util.HashSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }
}

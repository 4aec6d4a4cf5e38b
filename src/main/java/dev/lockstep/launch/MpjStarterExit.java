package dev.lockstep.launch;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A rank's side of {@link MpjStarterAgent}: when this JVM was started by MPJ's own starter ({@code java -jar
 * $MPJ_HOME/lib/starter.jar} or {@code mpjrun.sh}), which passes on no exit code, the first rank of the JVM loads
 * the agent into the starter (Attach API) and every rank records in the agent's status directory that it runs, and
 * then that it finished or with which code it failed. lockstep's own launcher reads exit codes itself; its rank JVMs
 * are not children of MPJ's starter, so none of this happens there.
 */
final class MpjStarterExit {
  /**
   * JVM-wide record of the status directory ("" when the agent could not be loaded). A system property, because
   * under multicore every rank has its own copy of this class (its own class loader) and only the JDK is shared.
   */
  static final String DIR_PROPERTY = "lockstep.mpj.starter.status";
  /** MPJ's starter: {@code -jar .../starter.jar} (Debian also ships starter-0.44.jar) or its main class. */
  private static final Pattern STARTER_JAR = Pattern.compile("starter(-[0-9.]+)?\\.jar");
  private static final String STARTER_CLASS = "runtime.starter.MPJRun";

  private final Path running;
  private final Path failed;

  private MpjStarterExit(Path dir, String id) {
    this.running = dir.resolve(id + MpjStarterAgent.RUNNING);
    this.failed = dir.resolve(id + MpjStarterAgent.FAILED);
  }

  /** For rank {@code id} (MPJ's rank argument) when this JVM's parent is MPJ's starter; empty otherwise. */
  static Optional<MpjStarterExit> forRank(String id) {
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    if (parent.isEmpty() || !isMpjStarter(parent.get().info().arguments().map(List::of).orElse(List.of()))) {
      return Optional.empty();
    }
    String dir;
    synchronized (System.getProperties()) { // one lock for all rank class loaders
      dir = System.getProperty(DIR_PROPERTY);
      if (dir == null) {
        dir = loadAgent(parent.get());
        System.setProperty(DIR_PROPERTY, dir);
      }
    }
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    MpjStarterExit exit = new MpjStarterExit(Path.of(dir), id);
    try {
      Files.writeString(exit.running, "");
    } catch (IOException e) {
      System.err.println("lockstep: rank " + id + ": cannot record its status for MPJ's starter (" + e + ")");
      return Optional.empty();
    }
    return Optional.of(exit);
  }

  /** True for the arguments of a JVM running MPJ's starter. */
  static boolean isMpjStarter(List<String> jvmArguments) {
    for (int i = 0; i < jvmArguments.size(); i++) {
      String arg = jvmArguments.get(i);
      if (arg.equals(STARTER_CLASS)) {
        return true;
      }
      if (arg.equals("-jar") && i + 1 < jvmArguments.size()) {
        return STARTER_JAR.matcher(Path.of(jvmArguments.get(i + 1)).getFileName().toString()).matches();
      }
    }
    return false;
  }

  /** Loads the agent into the starter; returns its status directory, or "" (with one line saying why) if it cannot. */
  private static String loadAgent(ProcessHandle starter) {
    try {
      Path jar = Path.of(MpjStarterAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(jar)) {
        throw new IOException(jar + " is not a jar (the agent must come from lockstep.jar)");
      }
      Path dir = Files.createTempDirectory("lockstep-mpj-starter-");
      VirtualMachine vm = VirtualMachine.attach(String.valueOf(starter.pid()));
      try {
        vm.loadAgent(jar.toString(), dir.toString());
      } finally {
        vm.detach();
      }
      return dir.toString();
    } catch (Exception e) { // Attach API failures come in many types; each means the same here
      System.err.println("lockstep: cannot hook MPJ's starter (pid " + starter.pid() + ": " + e
          + "): it will exit 0 even if a rank fails; 'lockstep train' passes exit codes on");
      return "";
    }
  }

  /** This rank finished cleanly. */
  void finished() {
    try {
      Files.deleteIfExists(running);
    } catch (IOException e) {
      System.err.println("lockstep: cannot record a finished rank for MPJ's starter (" + e + ")");
    }
  }

  /** This rank ends the job with {@code code} (non-zero). */
  void failed(int code) {
    try {
      Files.writeString(failed, code + "\n");
    } catch (IOException e) {
      System.err.println("lockstep: cannot record a failed rank for MPJ's starter (" + e + ")");
    }
  }
}

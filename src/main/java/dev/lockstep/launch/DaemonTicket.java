package dev.lockstep.launch;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The job description ("process ticket") an MPJ Express 0.44 daemon reads from a new connection: a 4-byte length,
 * then this XML (the format of {@code runtime.common.MPJProcessTicket}, as MPJ's own {@code mpjrun} sends it).
 *
 * <p>{@code niodev}: the daemon starts {@code processCount} JVMs, ranks {@code startingRank}.., each running
 * {@code java <jvmArgs> runtime.daemon.Wrapper ...}, which calls {@code mainClass.main(rank, config, "niodev",
 * appArgs...)}; the config names the rendezvous ({@code masterNode:masterPort}) every rank registers with.
 *
 * <p>{@code hybdev}: the daemon starts ONE JVM, {@code java <jvmArgs> runtime.daemon.HybridStarter wdir <threads>
 * hybdev useLocalLoader <the value after -cp> mainClass <totalProcessCount> <networkProcessCount> <startingRank>
 * <config> niodev appArgs...}, where {@code startingRank} is this host's niodev rank and {@code threads} MPJ's share
 * of the total for it; see {@link #hybdev}.
 */
record DaemonTicket(String device, String classPath, String masterNode, int masterPort, int processCount,
    int startingRank, int networkProcessCount, int totalProcessCount, List<String> jvmArgs, String workingDirectory,
    String mainClass, String confFileContents, List<String> appArgs, String userId, String mpjHome) {
  private static final int PROTOCOL_SWITCH_LIMIT = 128 * 1024;

  /**
   * The config every rank of an {@code np}-rank job gets: MPJ's {@code mpjdev.conf} lines joined by ';' (the daemon
   * writes them out, its Wrapper appends {@code #Server Name;host;#Server Port;port}). Ports are 0: each rank binds
   * its own and reports them to the rendezvous.
   */
  /**
   * A hybdev host's ticket. MPJ's daemon replaces the value after {@code -cp} with its own device jars and hands the
   * value it found there to HybridStarter as each rank thread's class path; so {@code -cp} carries the app class path
   * and a later {@code --class-path} (the java launcher takes the last) puts back the JVM classpath lockstep needs:
   * the device jars plus the native-bearing jars and the shared-classes jar, loaded once for all rank threads. The
   * ticket's ClassPath only must not end in ".jar" (HybridStarter would then run that jar's Main-Class): it is the
   * working directory, as mpjrun's default ".".
   */
  static DaemonTicket hybdev(String appClasspath, List<String> jvmClasspath, List<String> javaOptions,
      String masterNode, int masterPort, int np, int hosts, int hostIndex, String workingDirectory, String mainClass,
      String config, List<String> appArgs, String userId, String mpjHome) {
    List<String> jvmArgs = new ArrayList<>(javaOptions);
    jvmArgs.add("-cp");
    jvmArgs.add(appClasspath);
    jvmArgs.add("--class-path");
    jvmArgs.add(String.join(File.pathSeparator, jvmClasspath));
    return new DaemonTicket("hybdev", workingDirectory, masterNode, masterPort, 1, hostIndex, hosts, np, jvmArgs,
        workingDirectory, mainClass, config, appArgs, userId, mpjHome);
  }

  static String niodevConfig(int np, List<String> rankHosts) {
    StringBuilder conf = new StringBuilder("#temp line;#Number of Processes;" + np + ";#Protocol Switch Limit;"
        + PROTOCOL_SWITCH_LIMIT + ";#Entry, HOST_NAME/IP@READPORT@WRITEPORT@RANK@DEBUGPORT");
    for (int r = 0; r < np; r++) {
      conf.append(';').append(rankHosts.get(r)).append("@0@0@").append(r).append('@').append(2 * r);
    }
    return conf.toString();
  }

  String toXml() {
    StringBuilder x = new StringBuilder("<MPJProcessInfo>\n");
    element(x, "TicketID", UUID.randomUUID().toString());
    element(x, "ClassPath", classPath);
    element(x, "MasterNode", masterNode);
    element(x, "MasterPort", String.valueOf(masterPort));
    element(x, "ProcessCount", String.valueOf(processCount));
    element(x, "StartingRank", String.valueOf(startingRank));
    list(x, "JvmArgs", jvmArgs);
    element(x, "WorkingDirectory", workingDirectory);
    element(x, "ZippedSource", "false");
    x.append("    <sourceCode/>\n");
    element(x, "MainClass", mainClass);
    element(x, "DeviceName", device);
    element(x, "ConfFileContents", confFileContents);
    list(x, "AppArgs", appArgs);
    element(x, "UserID", userId);
    element(x, "NetworkProcessCount", String.valueOf(networkProcessCount));
    element(x, "TotalProcessCount", String.valueOf(totalProcessCount));
    element(x, "NetworkDevice", "niodev");
    element(x, "MPJ_HOME", mpjHome);
    element(x, "Debug", "false");
    element(x, "DebugPort", "24500");
    element(x, "Profiler", "false");
    return x.append("</MPJProcessInfo>\n").toString();
  }

  private static void element(StringBuilder x, String tag, String text) {
    x.append("    <").append(tag).append('>').append(escape(text)).append("</").append(tag).append(">\n");
  }

  private static void list(StringBuilder x, String tag, List<String> items) {
    x.append("    <").append(tag).append(">\n");
    for (String item : items) {
      x.append("        <Argument>").append(escape(item)).append("</Argument>\n");
    }
    x.append("    </").append(tag).append(">\n");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

package dev.lockstep.launch;

import java.util.List;
import java.util.UUID;

/**
 * The job description ("process ticket") an MPJ Express 0.44 daemon reads from a new connection: a 4-byte length,
 * then this XML (the format of {@code runtime.common.MPJProcessTicket}, as MPJ's own {@code mpjrun} sends it). The
 * daemon starts {@code processCount} JVMs, ranks {@code startingRank}.., each running
 * {@code java <jvmArgs> runtime.daemon.Wrapper ...}, which calls {@code mainClass.main(rank, config, "niodev",
 * appArgs...)}; the config names the rendezvous ({@code masterNode:masterPort}) every rank registers with.
 */
record DaemonTicket(String classPath, String masterNode, int masterPort, int processCount, int startingRank,
    List<String> jvmArgs, String workingDirectory, String mainClass, String confFileContents, List<String> appArgs,
    String userId, String mpjHome) {
  private static final int PROTOCOL_SWITCH_LIMIT = 128 * 1024;

  /**
   * The config every rank of an {@code np}-rank job gets: MPJ's {@code mpjdev.conf} lines joined by ';' (the daemon
   * writes them out, its Wrapper appends {@code #Server Name;host;#Server Port;port}). Ports are 0: each rank binds
   * its own and reports them to the rendezvous.
   */
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
    element(x, "DeviceName", "niodev");
    element(x, "ConfFileContents", confFileContents);
    list(x, "AppArgs", appArgs);
    element(x, "UserID", userId);
    element(x, "NetworkProcessCount", "-1");
    element(x, "TotalProcessCount", "-1");
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

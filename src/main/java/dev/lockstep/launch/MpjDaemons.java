package dev.lockstep.launch;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code lockstep daemons start|stop|status}: MPJ Express's daemon ({@code runtime.daemon.MPJDaemon} from the MPJ
 * home's daemon.jar, with log4j and commons on its classpath — Debian's daemon scripts lack them) on every host of a
 * machines file. Each daemon lives in {@code <MPJ home>/daemons/<host>-<port>/}: its own {@code conf/} (daemon port,
 * port-manager port = daemon port - 3, i.e. MPJ's 40055/40052 by default), {@code daemon.pid} and {@code daemon.log}.
 * The daemon runs in the directory {@code start} was run from: MPJ starts the ranks in the daemon's working
 * directory, and lockstep ranks refuse to run anywhere but in the launcher's.
 */
public final class MpjDaemons {
  /** How long a started daemon may take to accept connections. */
  private static final long START_TIMEOUT_MS = 30_000;
  private static final int PROBE_TIMEOUT_MS = 2_000;
  private static final String NO_ANSWER = "accepts connections";

  private final MpjHome home;
  private final PrintStream out;

  public MpjDaemons(MpjHome home, PrintStream out) {
    this.home = home;
    this.out = out;
  }

  /** The machines' distinct daemons (a host listed once per slot is one daemon). */
  static List<Machine> distinct(List<Machine> machines) {
    Map<String, Machine> byDaemon = new LinkedHashMap<>();
    for (Machine m : machines) {
      byDaemon.putIfAbsent(m.address() + "|" + m.netns(), m);
    }
    return new ArrayList<>(byDaemon.values());
  }

  Path dir(Machine m) {
    return home.dir().resolve("daemons").resolve(m.host() + "-" + m.port());
  }

  /** Starts a daemon on every host (leaving running ones alone); 0 when all accept connections, else 3. */
  public int start(List<Machine> machines) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path workDir = Path.of(System.getProperty("user.dir"));
    int code = ExitCodes.OK;
    for (Machine m : distinct(machines)) {
      String d = HostShell.quote(dir(m).toString());
      String script = "set -e; D=" + d + "; mkdir -p \"$D/conf\"; ln -sfn " + HostShell.quote(home.dir().resolve("lib")
          .toString()) + " \"$D/lib\"\n"
          + "if [ -f \"$D/daemon.pid\" ] && kill -0 \"$(cat \"$D/daemon.pid\")\" 2>/dev/null; then"
          + " echo \"already running (pid $(cat \"$D/daemon.pid\"))\"; exit 0; fi\n"
          + "printf '%s\\n' 'mpjexpress.mpjdaemon.port.1=" + m.port() + "' 'mpjexpress.mpjdaemon.port.2="
          + (m.port() - 3) + "' 'mpjexpress.mpjrun.port.1=40002' 'mpjexpress.mpjdaemon.loglevel=OFF'"
          + " 'mpjexpress.mpjrun.loglevel=OFF' 'mpjexpress.mpi.loglevel=OFF' 'mpjexpress.version=0.44'"
          + " 'mpjexpress.mpi.old.collectives=false' > \"$D/conf/mpjexpress.conf\"\n"
          + "cd " + HostShell.quote(workDir.toString()) + "\n"
          + "MPJ_HOME=\"$D\" nohup setsid " + HostShell.quote(java.toString()) + " -cp "
          + HostShell.quote(daemonClasspath()) + " runtime.daemon.MPJDaemon " + m.port()
          + " > \"$D/daemon.log\" 2>&1 < /dev/null &\n"
          + "echo $! > \"$D/daemon.pid\"; echo \"started (pid $!)\"\n";
      String said = runScript(m, script);
      if (said == null) {
        code = ExitCodes.RANK_FAILED;
        continue;
      }
      String problem = awaitReachable(m);
      if (problem != null) {
        out.println("lockstep: daemon " + m.address() + ": " + said + ", but " + problem + " (log: " + dir(m)
            .resolve("daemon.log") + ")");
        code = ExitCodes.RANK_FAILED;
      } else {
        out.println("daemon " + m.address() + (m.inNamespace() ? " (netns " + m.netns() + ")" : "") + ": " + said
            + ", accepting connections");
      }
    }
    return code;
  }

  /** Stops every host's daemon and the rank processes it started; 0 unless a host could not be reached. */
  public int stop(List<Machine> machines) {
    int code = ExitCodes.OK;
    for (Machine m : distinct(machines)) {
      String script = "D=" + HostShell.quote(dir(m).toString()) + "\n"
          + "if [ ! -f \"$D/daemon.pid\" ]; then echo 'not running (no pid file)'; exit 0; fi\n"
          + "P=$(cat \"$D/daemon.pid\")\n"
          + "if kill -0 \"$P\" 2>/dev/null && grep -q MPJDaemon /proc/\"$P\"/cmdline 2>/dev/null; then"
          + " for C in $(pgrep -P \"$P\"); do kill \"$C\" 2>/dev/null || true; done; kill \"$P\";"
          + " for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 \"$P\" 2>/dev/null || break; sleep 0.2; done;"
          + " echo \"stopped (pid $P)\"; else echo \"not running (stale pid $P)\"; fi\n"
          + "rm -f \"$D/daemon.pid\"\n";
      String said = runScript(m, script);
      if (said == null) {
        code = ExitCodes.RANK_FAILED;
      } else {
        out.println("daemon " + m.address() + ": " + said);
      }
    }
    return code;
  }

  /** Probes every daemon's port from here; 0 when all accept connections, else 3 naming each that does not. */
  public int status(List<Machine> machines) {
    int code = ExitCodes.OK;
    for (Machine m : distinct(machines)) {
      String problem = probe(m);
      if (problem != null && problem.startsWith(NO_ANSWER)) {
        // Seen right after 'daemons start' (about one run in five of the namespace test): a fresh daemon accepted
        // the probe but did not answer within its deadline, and served a job moments later. Ask once more.
        problem = probe(m);
      }
      if (problem == null) {
        out.println("OK    daemon " + m.address() + " accepts connections");
      } else {
        out.println("FAIL  daemon " + m.address() + ": " + problem);
        code = ExitCodes.RANK_FAILED;
      }
    }
    return code;
  }

  /**
   * Null when the daemon at host:port answers a job of zero processes (it replies EXIT), else why not. A bare
   * connect-and-close would not do: MPJ 0.44's daemon keeps such a connection as a job that failed to parse, and the
   * next time its connection manager finds one closed it dies on it (NullPointerException in killProcesses), after
   * which it never again kills the ranks of a job whose launcher went away.
   */
  String probe(Machine m) {
    DaemonTicket empty = new DaemonTicket("niodev", "", "127.0.0.1", 1, 0, 0, -1, -1, List.of(),
        System.getProperty("user.dir"),
        RankCommands.MAIN_CLASS, DaemonTicket.niodevConfig(0, List.of()), List.of(),
        System.getProperty("user.name", "lockstep"), home.dir().toString());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(m.host(), m.port()), PROBE_TIMEOUT_MS);
      socket.setSoTimeout(PROBE_TIMEOUT_MS);
      byte[] xml = empty.toXml().getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(xml.length);
      out.write(xml);
      out.flush();
      // Read until the daemon says EXIT, it closes, or the probe's own deadline passes: a daemon that keeps the
      // connection open (or trickles bytes) must not hold the caller forever.
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      byte[] buf = new byte[4096];
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5L * PROBE_TIMEOUT_MS);
      while (System.nanoTime() < deadline && reply.indexOf("EXIT") < 0) {
        int n;
        try {
          n = in.read(buf);
        } catch (java.net.SocketTimeoutException quiet) {
          continue;
        }
        if (n < 0) {
          break;
        }
        reply.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      return reply.indexOf("EXIT") >= 0 ? null
          : NO_ANSWER + " at " + m.address() + " but does not answer like an MPJ Express daemon";
    } catch (IOException e) {
      return "unreachable at " + m.address() + " (" + e.getMessage() + "): is the daemon running"
          + " ('lockstep daemons start'), and is TCP port " + m.port() + " open?";
    }
  }

  private String awaitReachable(Machine m) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    String problem = probe(m);
    while (problem != null && System.nanoTime() < deadline) {
      sleep(300);
      problem = probe(m);
    }
    return problem;
  }

  /** Runs the script on the machine; its output, or null after printing why it failed. */
  private String runScript(Machine m, String script) {
    List<String> command = HostShell.command(m, script);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        out.println("lockstep: daemon " + m.address() + ": '" + command.get(0) + "' failed"
            + (p.isAlive() ? " (timed out)" : " with exit code " + p.exitValue()) + ": " + said);
        p.destroyForcibly();
        return null;
      }
      return said;
    } catch (IOException e) {
      out.println("lockstep: daemon " + m.address() + ": cannot run " + command.get(0) + ": " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private String daemonClasspath() {
    List<String> jars = List.of("daemon.jar", "runtimecommon.jar", "log4j-1.2.jar", "commons-codec.jar",
        "commons-io.jar");
    return String.join(":", jars.stream().map(j -> home.lib(j).toString()).toList());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

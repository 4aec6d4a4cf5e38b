package dev.lockstep.launch;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A niodev or hybdev job whose rank processes MPJ Express daemons start, one daemon per host of the machines file.
 * Ranks are placed in blocks of consecutive ranks per host, in the file's order (np=4 on 2 hosts: ranks 0,1 on the
 * first, 2,3 on the second): niodev puts ceil(np / hosts) on each host, one JVM per rank; hybdev follows MPJ's own
 * placement ({@link #hybdevPlacement}), one JVM per host whose ranks are threads. The launcher is the rendezvous the
 * niodev processes register with (as in {@link NiodevRendezvous}; under hybdev one per host), on the address through
 * which this machine reaches the other hosts.
 *
 * <p>Supervision: each daemon streams its ranks' output over the job's connection and says {@code EXIT} when they
 * have all ended; it passes on no exit code, so every rank prints {@link RankEntry#EXIT_REPORT} with its code as its
 * last line. The first rank that reports a non-zero code, a host whose ranks end without reporting, or a daemon
 * connection that breaks (daemon stopped, host down) ends the job: the launcher closes every daemon connection, and
 * MPJ's daemons kill the ranks of a job whose client went away (they ping it every second).
 */
final class DaemonJob {
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final long POLL_MS = 200;

  private sealed interface Event permits RankExit, HostDone, HostLost {}

  private record RankExit(Machine machine, int rank, int code) implements Event {}

  private record HostDone(Machine machine) implements Event {}

  private record HostLost(Machine machine, String why) implements Event {}

  private final List<Machine> machines;
  private final int np;
  private final String device;
  private final RankOutput output;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<Socket> sockets = new ArrayList<>();
  private volatile boolean closing;

  DaemonJob(List<Machine> machines, int np, String device, RankOutput output) {
    if (!device.equals("niodev") && !device.equals("hybdev")) {
      throw new IllegalArgumentException("MPJ daemons start niodev or hybdev ranks, not " + device);
    }
    this.machines = List.copyOf(machines);
    this.np = np;
    this.device = device;
    this.output = output;
  }

  /**
   * The first rank of each host and the count it takes, in file order; hosts left without ranks are left out. When
   * the machines file gives slots (ranks per host, as in Open MPI and Horovod; a host listed without takes 1), niodev
   * fills each host up to its slots in turn, and --np above their sum is an error (Open MPI would ask for
   * --oversubscribe). hybdev keeps MPJ's own placement ({@link #hybdevPlacement}: MPJ's hybrid device computes each
   * host's ranks itself), so there slots are a limit it must fit. Without slots: niodev ceil(np / hosts) per host.
   */
  static List<int[]> placement(int np, String device, List<Machine> machines) {
    boolean slotsGiven = machines.stream().anyMatch(Machine::slotsGiven);
    if (device.equals("hybdev")) {
      List<int[]> blocks = hybdevPlacement(np, machines.size());
      for (int m = 0; m < blocks.size() && slotsGiven; m++) {
        Machine machine = machines.get(m);
        int slots = Math.max(1, machine.slots());
        if (blocks.get(m)[1] > slots) {
          throw LaunchException.usage("--np " + np + " under hybdev puts " + blocks.get(m)[1] + " ranks on "
              + machine.host() + " (" + machine.where() + "), which has " + slots + " slot(s): MPJ's hybrid device "
              + "places np / hosts ranks on each host (one more on the first np % hosts); give it more slots");
        }
      }
      return blocks;
    }
    if (!slotsGiven) {
      return placement(np, machines.size());
    }
    int total = machines.stream().mapToInt(m -> Math.max(1, m.slots())).sum();
    if (np > total) {
      throw LaunchException.usage("--np " + np + " is more than the " + total + " slot(s) of the machines file ("
          + String.join(", ", machines.stream().map(m -> m.host() + ": " + Math.max(1, m.slots())).toList())
          + "); give the hosts more slots or start fewer ranks");
    }
    List<int[]> blocks = new ArrayList<>();
    int first = 0;
    for (int m = 0; m < machines.size() && first < np; m++) {
      int count = Math.min(Math.max(1, machines.get(m).slots()), np - first);
      blocks.add(new int[] {first, count});
      first += count;
    }
    return blocks;
  }

  /** The first rank of each machine and the count it hosts: blocks of ceil(np / hosts). */
  static List<int[]> placement(int np, int hosts) {
    int perHost = (np + hosts - 1) / hosts;
    List<int[]> blocks = new ArrayList<>();
    for (int first = 0; first < np; first += perHost) {
      blocks.add(new int[] {first, Math.min(perHost, np - first)});
    }
    return blocks;
  }

  /**
   * MPJ's hybdev placement (HYBDevice.getProcPerHost, startRank): np / hosts ranks per host, one more on each of the
   * first np % hosts; hosts beyond np get none (they are left out: a hybdev host JVM needs at least one rank).
   */
  static List<int[]> hybdevPlacement(int np, int hosts) {
    int used = Math.min(np, hosts);
    List<int[]> blocks = new ArrayList<>();
    int first = 0;
    for (int m = 0; m < used; m++) {
      int count = np / used + (m < np % used ? 1 : 0);
      blocks.add(new int[] {first, count});
      first += count;
    }
    return blocks;
  }

  int run(MpjHome home, RankCommands commands, List<String> rankArgs) throws InterruptedException {
    boolean hybdev = device.equals("hybdev");
    List<int[]> blocks = placement(np, device, machines);
    InetAddress advertised = rendezvousAddress(machines);
    Path workDir = Path.of(System.getProperty("user.dir"));
    String user = System.getProperty("user.name", "lockstep");
    List<String> jvmOptions = new ArrayList<>(commands.javaOptions());
    jvmOptions.add("-D" + RankEntry.REPORT_PROPERTY + "=stdout");
    jvmOptions.add("-D" + RankEntry.WORKDIR_PROPERTY + "=" + workDir);
    // niodev: one MPJ process per rank; hybdev: one per host
    try (NiodevRendezvous rendezvous = new NiodevRendezvous(hybdev ? blocks.size() : np, advertised)) {
      List<DaemonTicket> tickets = new ArrayList<>();
      if (hybdev) {
        List<String> jvmClasspath = commands.hybdevJvmClasspath().stream().map(Path::toString).toList();
        for (int m = 0; m < blocks.size(); m++) {
          tickets.add(DaemonTicket.hybdev(commands.appClasspath(), jvmClasspath, jvmOptions,
              advertised.getHostAddress(), rendezvous.port(), np, blocks.size(), m, workDir.toString(),
              RankCommands.MAIN_CLASS, rendezvous.configArgument(), rankArgs, user, home.dir().toString()));
        }
      } else {
        List<String> rankHosts = new ArrayList<>();
        for (int m = 0; m < blocks.size(); m++) {
          for (int i = 0; i < blocks.get(m)[1]; i++) {
            rankHosts.add(machines.get(m).host());
          }
        }
        String conf = DaemonTicket.niodevConfig(np, rankHosts);
        List<String> jvmArgs = new ArrayList<>(jvmOptions);
        jvmArgs.add("-cp");
        jvmArgs.add(RankClasspath.join(commands.niodevClasspath()));
        for (int[] block : blocks) {
          tickets.add(new DaemonTicket("niodev", commands.appClasspath(), advertised.getHostAddress(),
              rendezvous.port(), block[1], block[0], -1, -1, jvmArgs, workDir.toString(), RankCommands.MAIN_CLASS,
              conf, rankArgs, user, home.dir().toString()));
        }
      }
      for (int m = 0; m < tickets.size(); m++) {
        submit(machines.get(m), tickets.get(m));
      }
      return supervise(blocks, rendezvous);
    } finally {
      closeAll();
      output.drain();
    }
  }

  /** This machine's address as the other hosts see it: the source address of its route to the first of them. */
  static InetAddress rendezvousAddress(List<Machine> machines) {
    for (Machine m : machines) {
      if (!MachinesFile.isThisMachine(m.host(), m.where())) {
        try (DatagramSocket probe = new DatagramSocket()) {
          probe.connect(new InetSocketAddress(m.host(), m.port())); // a route lookup: UDP connect sends nothing
          InetAddress local = probe.getLocalAddress();
          if (local != null && !local.isAnyLocalAddress()) {
            return local;
          }
        } catch (IOException e) {
          throw LaunchException.usage(m.where() + ": no route to host " + m.host() + ": " + e.getMessage());
        }
      }
    }
    return InetAddress.getLoopbackAddress();
  }

  private void submit(Machine machine, DaemonTicket ticket) {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(machine.host(), machine.port()), CONNECT_TIMEOUT_MS);
      byte[] xml = ticket.toXml().getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(xml.length);
      out.write(xml);
      out.flush();
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // never connected
      }
      throw LaunchException.usage("cannot reach the MPJ daemon of host " + machine.host() + " at "
          + machine.address() + " (" + machine.where() + "): " + e.getMessage()
          + "; start it with 'lockstep daemons start --machines FILE' and check that TCP port " + machine.port()
          + " is open");
    }
    sockets.add(socket);
    Thread reader = new Thread(() -> read(machine, socket), "lockstep-daemon-" + machine.address());
    reader.setDaemon(true);
    reader.start();
  }

  /** Copies the daemon's stream (rank output, pings, EXIT) into events and output. */
  private void read(Machine machine, Socket socket) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("@Ping#")) {
          continue;
        }
        boolean exit = line.endsWith("EXIT") && !line.startsWith("lockstep");
        if (exit) {
          line = line.substring(0, line.length() - "EXIT".length());
        }
        if (line.startsWith(RankEntry.EXIT_REPORT)) {
          String[] f = line.substring(RankEntry.EXIT_REPORT.length()).trim().split("\\s+");
          events.add(new RankExit(machine, Integer.parseInt(f[0]), Integer.parseInt(f[1])));
        } else if (!line.isEmpty() && !isWrapperChatter(line)) {
          output.rankLine(line);
        }
        if (exit) {
          events.add(new HostDone(machine));
          return;
        }
      }
      events.add(new HostLost(machine, "the connection closed before its ranks ended"));
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        events.add(new HostLost(machine, e.getMessage()));
      }
    }
  }

  /** MPJ's Wrapper prints "Starting process <r> on <host>" per rank: noise next to lockstep's own lines. */
  private static boolean isWrapperChatter(String line) {
    return line.startsWith("Starting process <") || line.startsWith("Stopping Process <")
        || line.startsWith("Stopping process <");
  }

  private int supervise(List<int[]> blocks, NiodevRendezvous rendezvous) throws InterruptedException {
    boolean[] finished = new boolean[np];
    int hostsRunning = blocks.size();
    long start = System.nanoTime();
    while (hostsRunning > 0) {
      Event event = events.poll(POLL_MS, TimeUnit.MILLISECONDS);
      if (event == null) {
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (rendezvous.error() != null) {
          return fail(rendezvous.error());
        }
        if (!rendezvous.complete() && waited > Launcher.RENDEZVOUS_TIMEOUT_MS) {
          int processes = device.equals("hybdev") ? blocks.size() : np;
          return fail("not all " + processes + (device.equals("hybdev") ? " hybdev host JVMs" : " niodev ranks")
              + " reached MPI.Init within "
              + Launcher.RENDEZVOUS_TIMEOUT_MS / 1000 + "s (started by the MPJ daemons of "
              + String.join(", ", machines.stream().map(Machine::address).toList()) + ")");
        }
        continue;
      }
      if (event instanceof RankExit e) {
        if (e.code() == ExitCodes.OK) {
          finished[e.rank()] = true;
          continue;
        }
        String why = "rank " + e.rank() + " on host " + e.machine().host() + " exited with code " + e.code()
            + "; stopped the other ranks";
        output.message("lockstep: " + why);
        closeAll();
        return ExitCodes.isJobCode(e.code()) ? e.code() : ExitCodes.RANK_FAILED;
      }
      Machine machine = event instanceof HostDone d ? d.machine() : ((HostLost) event).machine();
      int[] block = blocks.get(machines.indexOf(machine));
      List<Integer> missing = new ArrayList<>();
      for (int r = block[0]; r < block[0] + block[1]; r++) {
        if (!finished[r]) {
          missing.add(r);
        }
      }
      if (event instanceof HostLost lost) {
        drainReports(finished);
        return fail("lost the MPJ daemon of host " + machine.host() + " at " + machine.address() + " ("
            + lost.why() + ") while " + ranks(missing) + " ran there; stopped the other ranks");
      }
      drainReports(finished);
      missing.removeIf(r -> finished[r]);
      if (!missing.isEmpty()) {
        return fail(ranks(missing) + " on host " + machine.host() + " ended without finishing (killed, or the JVM"
            + " could not start: see the lines above)");
      }
      hostsRunning--;
    }
    return ExitCodes.OK;
  }

  /** Reports that arrived just before a host's end (they are queued by the same reader, so already here). */
  private void drainReports(boolean[] finished) {
    for (Event e : events) {
      if (e instanceof RankExit r && r.code() == ExitCodes.OK) {
        finished[r.rank()] = true;
      }
    }
  }

  private static String ranks(List<Integer> ranks) {
    return (ranks.size() == 1 ? "rank " : "ranks ") + String.join(", ", ranks.stream().map(String::valueOf).toList());
  }

  private int fail(String message) {
    closeAll();
    output.message("lockstep: " + message);
    return ExitCodes.RANK_FAILED;
  }

  private void closeAll() {
    closing = true;
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // the daemon notices at its next ping and kills the job's ranks
      }
    }
  }
}

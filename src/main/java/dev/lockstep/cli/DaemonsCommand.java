package dev.lockstep.cli;

import dev.lockstep.launch.Machine;
import dev.lockstep.launch.MachinesFile;
import dev.lockstep.launch.MpjDaemons;
import dev.lockstep.launch.MpjHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lockstep daemons start|stop|status}: MPJ Express daemons on the hosts of a machines file. */
@Command(
    name = "daemons",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    headerHeading = "%n",
    header = "Start, stop or check MPJ Express daemons on the hosts of a machines file (for --dev niodev or hybdev).",
    description = {
        "The machines file has one host per line: HOST[:SLOTS] [slots=N] [port=P] [netns=NAME]. P is that host's "
            + "daemon port (default --port); SLOTS/N how many ranks train puts there; netns=NAME runs the host's commands under 'ip netns exec NAME' (a namespace of this "
            + "machine); hosts that are not this machine are reached with password-less ssh and need the same "
            + "paths (Java, lockstep, the MPJ home) as this one.",
        "start runs MPJ's daemon (runtime.daemon.MPJDaemon from <MPJ home>/lib/daemon.jar, with log4j) on every "
            + "host, in the current directory (ranks run there: start the daemons from the directory you run "
            + "train in), and waits until each accepts connections. Files: <MPJ home>/daemons/<host>-<port>/"
            + "{daemon.pid,daemon.log,conf/}. The daemon's port manager listens on PORT - 3.",
        "stop ends each daemon and the rank processes it started. status probes each daemon's port from here."},
    optionListHeading = "%nOptions:%n",
    footerHeading = "%nExamples:%n",
    footer = {"  lockstep daemons start --machines hosts.txt",
        "  lockstep daemons status --machines hosts.txt --port 41055",
        "  lockstep train -c cfg.yaml --np 4 --dev niodev --machines hosts.txt",
        "  lockstep train -c cfg.yaml --np 4 --dev hybdev --machines hosts.txt",
        "  lockstep daemons stop --machines hosts.txt",
        "",
        "Exit codes: 0 every daemon is (or was) handled; 2 bad usage or machines file;",
        "3 a daemon could not be started or reached (the line names host and port)."})
final class DaemonsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop or status")
  String action;

  @Option(names = "--machines", paramLabel = "FILE", required = true, description = "The machines file.")
  Path machines;

  @Option(names = "--port", paramLabel = "P", defaultValue = "40055",
      description = "Daemon port of hosts listed without one (default: ${DEFAULT-VALUE}, MPJ's).")
  int port;

  @Override
  public Integer call() {
    if (!List.of("start", "stop", "status").contains(action)) {
      throw new ParameterException(spec.commandLine(), "ACTION must be start, stop or status (got '" + action + "')");
    }
    if (port < 4 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be in 4..65535 (got " + port + ")");
    }
    if (!Files.isRegularFile(machines)) {
      throw new ParameterException(spec.commandLine(), "no such machines file: " + machines);
    }
    List<Machine> hosts = MachinesFile.read(machines, port);
    MpjDaemons daemons = new MpjDaemons(MpjHome.resolve(), System.out);
    return switch (action) {
      case "start" -> daemons.start(hosts);
      case "stop" -> daemons.stop(hosts);
      default -> daemons.status(hosts);
    };
  }
}

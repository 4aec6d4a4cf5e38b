package dev.lockstep.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code lockstep doctor} reports about MPJ Express: the home a launch would use (found or assembled, exactly as
 * {@link MpjHome#resolve()} does it) and whether it holds what both devices need, plus the state of Debian's own
 * {@code mpjrun}.
 *
 * @param home the home's directory; empty when there is none
 * @param summary one line: where the home is and where it came from, or why there is none
 * @param warnings things that work but deserve a look ($MPJ_HOME ignored, Debian's mpjrun broken)
 * @param problem why training cannot start; empty when it can
 */
public record MpjCheck(Optional<Path> home, String summary, List<String> warnings, Optional<String> problem) {
  private static final Path DEBIAN_MPJRUN = Path.of("/usr/bin/mpjrun");

  /** Checks this machine (resolving may assemble the home, as the first launch would). */
  public static MpjCheck run() {
    DebianMpj debian = DebianMpj.installed();
    List<String> warnings = new ArrayList<>();
    debian.mpjrunProblem(DEBIAN_MPJRUN).ifPresent(p -> warnings.add(p + "; use 'lockstep train', or "
        + "<the MPJ home above>/bin/mpjrun.sh"));
    MpjHome.Resolution r = MpjHome.explain();
    warnings.addAll(0, r.warnings());
    if (r.failure() != null) {
      return new MpjCheck(Optional.empty(), "no MPJ Express home", warnings, Optional.of(r.failure().getMessage()));
    }
    MpjHome home = r.home();
    String summary = "MPJ home " + home.dir() + " (" + r.source() + ")";
    try {
      home.multicoreJvmJars();
      home.processRankJars();
      home.hybdevJvmJars();
    } catch (LaunchException e) {
      return new MpjCheck(Optional.of(home.dir()), summary, warnings, Optional.of(e.getMessage()));
    }
    return new MpjCheck(Optional.of(home.dir()), summary, warnings, Optional.empty());
  }
}

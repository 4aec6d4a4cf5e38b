package dev.lockstep.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The job tickets lockstep sends MPJ Express daemons (the namespace cluster test sends them for real). */
class DaemonTicketTest {
  @Test
  void aHybdevTicketAsksForOneJvmOnThisHostAndKeepsLockstepsJvmClasspathLast() {
    DaemonTicket t = DaemonTicket.hybdev("/w/app.jar:/w/classes", List.of("/m/lib/hybdev.jar", "/r/javacpp.jar"),
        List.of("-Xmx1g"), "10.0.0.1", 41234, 5, 2, 1, "/w", RankCommands.MAIN_CLASS, "#Server Name;10.0.0.1",
        List.of("train", "-c", "/w/c.yaml"), "me", "/m");

    String xml = t.toXml();

    assertThat(xml).contains("<DeviceName>hybdev</DeviceName>", "<ProcessCount>1</ProcessCount>",
        "<StartingRank>1</StartingRank>", "<NetworkProcessCount>2</NetworkProcessCount>",
        "<TotalProcessCount>5</TotalProcessCount>", "<NetworkDevice>niodev</NetworkDevice>",
        "<ConfFileContents>#Server Name;10.0.0.1</ConfFileContents>");
    // the daemon swaps the value after -cp for its device jars and gives it to the rank threads; the java launcher
    // takes the last class path option, so --class-path must come after
    assertThat(t.jvmArgs()).containsExactly("-Xmx1g", "-cp", "/w/app.jar:/w/classes", "--class-path",
        "/m/lib/hybdev.jar:/r/javacpp.jar");
    assertThat(t.classPath()).as("HybridStarter runs a ClassPath ending in .jar as that jar's Main-Class")
        .doesNotEndWith(".jar").isEqualTo("/w");
  }

  @Test
  void aNiodevTicketKeepsMpjsDefaultsForTheHybridCounts() {
    DaemonTicket t = new DaemonTicket("niodev", "/w/classes", "10.0.0.1", 41234, 2, 2, -1, -1, List.of("-cp", "x"),
        "/w", RankCommands.MAIN_CLASS, DaemonTicket.niodevConfig(4, List.of("a", "a", "b", "b")), List.of(), "me",
        "/m");

    assertThat(t.toXml()).contains("<DeviceName>niodev</DeviceName>", "<ProcessCount>2</ProcessCount>",
        "<NetworkProcessCount>-1</NetworkProcessCount>", "<TotalProcessCount>-1</TotalProcessCount>",
        ";b@0@0@3@6</ConfFileContents>");
  }
}

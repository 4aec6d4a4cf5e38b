package dev.lockstep.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code lockstep --version}: the build's version (from the jar's Maven metadata) and the Java running it. */
final class VersionProvider implements IVersionProvider {
  private static final String POM_PROPERTIES = "/META-INF/maven/dev.lockstep/lockstep/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
        "lockstep " + lockstepVersion(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
  }

  static String lockstepVersion() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through: report an unversioned build rather than fail --version
    }
    return "(development build, not from a jar)";
  }
}

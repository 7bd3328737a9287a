package io.redisops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version stamped into the jar at build time. */
public final class VersionProvider implements IVersionProvider {

  public static String version() {
    return properties().getProperty("version", "unknown");
  }

  /** The git commit the jar was built from, or "unknown". */
  public static String commit() {
    String c = properties().getProperty("commit", "unknown");
    return c.isBlank() || c.startsWith("${") ? "unknown" : c;
  }

  private static Properties properties() {
    return Stamp.PROPERTIES;
  }

  /** Read once (picocli asks for the version while it builds the model of every command line). */
  private static final class Stamp {
    static final Properties PROPERTIES = read();
  }

  private static Properties read() {
    Properties p = new Properties();
    try (InputStream in =
        VersionProvider.class.getResourceAsStream("/redis-ops-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // a jar without its version file still runs
    }
    return p;
  }

  @Override
  public String[] getVersion() {
    // The first line stays "redis-ops <version>": scripts compare it.
    return new String[] {
      "redis-ops " + version(), "commit " + commit(), "Java " + System.getProperty("java.version")
    };
  }
}

package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.ServerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target of a restore when Redis is down (crashed, or it will not load its files): the main
 * reason to restore. Nothing answers INFO or CONFIG GET, so what {@link TargetProbe} asks the
 * server comes from its config file instead ({@code dir}, {@code dbfilename}, {@code appendonly},
 * {@code appenddirname}, {@code pidfile}, {@code logfile}) and the version from {@code redis-server
 * --version} of the start command. The stop step then has nothing to stop.
 */
final class StoppedTargetProbe {
  private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");

  private StoppedTargetProbe() {}

  static RestoreTarget probe(RedisEndpoint endpoint, String configFile, ServiceCommands commands) {
    String address = endpoint.address();
    Path config = Path.of(configFile).toAbsolutePath();
    if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " does not answer and its config file "
              + config
              + " is not readable here; check datasets[].redis.config-file");
    }
    RedisConfigFile file = new RedisConfigFile(config);
    String dirSetting;
    String dbfilename;
    String appenddirname;
    String appendfilename;
    boolean aof;
    String pidfile;
    String logfile;
    try {
      dirSetting = unquote(file.get("dir").orElse("."));
      dbfilename = unquote(file.get("dbfilename").orElse("dump.rdb"));
      appenddirname = unquote(file.get("appenddirname").orElse("appendonlydir"));
      appendfilename = unquote(file.get("appendfilename").orElse("appendonly.aof"));
      aof = unquote(file.get("appendonly").orElse("no")).toLowerCase(Locale.ROOT).equals("yes");
      pidfile =
          file.get("pidfile")
              .map(StoppedTargetProbe::unquote)
              .filter(s -> !s.isEmpty())
              .orElse(null);
      logfile =
          file.get("logfile")
              .map(StoppedTargetProbe::unquote)
              .filter(s -> !s.isEmpty())
              .orElse(null);
    } catch (IOException e) {
      throw RedisOpsException.refused(
          "unable to read config file " + config + ": " + e.getMessage());
    }
    Path dir = Path.of(dirSetting);
    if (!dir.isAbsolute()) {
      // Redis resolves it against the folder it was started in, which is not known here: refuse
      // rather than guess.
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " does not answer and config file "
              + config
              + " gives a relative dir '"
              + dirSetting
              + "'; make it absolute in the file, then restore");
    }
    Optional<Long> stillRunning =
        pidFromFile(pidfile)
            .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    if (stillRunning.isPresent()) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " does not answer, but its process "
              + stillRunning.get()
              + " (pidfile "
              + pidfile
              + ") still runs; stop it first (it may be loading or hung), then restore");
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw RedisOpsException.refused(
          "data directory "
              + dir
              + " (dir in "
              + config
              + ") is not a writable folder"
              + " here; run the restore on the Redis host as the owner of the folder");
    }
    if (aof && !Files.isWritable(config)) {
      throw RedisOpsException.refused(
          "config file "
              + config
              + " is not writable: the restore must set"
              + " appendonly no in it until the AOF is rewritten; run as its owner");
    }
    List<String> start = commands.start() != null ? commands.start() : List.of("redis-server");
    ServerIdentity identity = serverIdentity(start);
    return new RestoreTarget(
        address,
        identity.redisVersion(),
        -1,
        config.toString(),
        dir.toString(),
        dbfilename,
        appenddirname,
        aof,
        aof,
        null,
        pidfile,
        logfile,
        identity.engine(),
        identity.version(),
        null,
        false,
        appendfilename);
  }

  /**
   * The engine and version of the program the start command runs: {@code Redis server v=8.0.6 ...}
   * or {@code Valkey server v=9.1.2 ...}. Valkey's compatibility {@code redis_version} is not
   * printed; 7.2.4 is what every Valkey reports in INFO.
   */
  private static ServerIdentity serverIdentity(List<String> start) {
    String program =
        start.stream()
            .filter(w -> w.endsWith("redis-server") || w.endsWith("valkey-server"))
            .findFirst()
            .orElse("redis-server");
    String version = serverVersion(program);
    boolean valkey = program.endsWith("valkey-server") || valkeyBinary(program);
    return valkey
        ? new ServerIdentity(ServerIdentity.VALKEY, version, "7.2.4")
        : new ServerIdentity(ServerIdentity.REDIS, version, version);
  }

  private static boolean valkeyBinary(String program) {
    try {
      Process p =
          new ProcessBuilder(program, "--version")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.startsWith("Valkey");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * {@code redis-server --version} of the program the start command runs ({@code redis-server} by
   * default).
   */
  private static String serverVersion(String program) {
    try {
      Process p =
          new ProcessBuilder(program, "--version")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor(10, TimeUnit.SECONDS)) {
        Matcher m = VERSION.matcher(out);
        if (m.find()) {
          return m.group(1);
        }
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // named as unknown below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw RedisOpsException.refused(
        "Redis does not answer and '"
            + program
            + " --version' does not tell its version"
            + " (needed to know which RDB versions it loads); check the start command");
  }

  private static Optional<Long> pidFromFile(String pidfile) {
    if (pidfile == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(Files.readString(Path.of(pidfile)).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String unquote(String v) {
    String s = v.strip();
    if (s.length() >= 2
        && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}

package io.redisops.recovery.drill;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.redis.ServerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server program a drill starts: of the backup source's engine and version, so that the drill
 * says whether a restore onto that server would load. Looked for in {@code drill.server} when
 * configured, else as the running source's {@code INFO server} {@code executable} on this host.
 *
 * @param executable the program
 * @param identity its engine and version ({@code <program> --version})
 */
public record DrillServer(Path executable, ServerIdentity identity) {
  private static final Pattern VERSION =
      Pattern.compile("^(Redis|Valkey|KeyDB) server v=(\\S+)", Pattern.CASE_INSENSITIVE);

  /** For the record and messages: {@code Redis 7.0.15 (/usr/bin/redis-server)}. */
  public String describe() {
    return identity.describe() + " (" + executable + ")";
  }

  /**
   * The program to drill backup {@code m} with.
   *
   * @param configured {@code drill.server}, or null
   * @param source the dataset's Redis, asked for its {@code executable} when nothing is configured
   * @throws RedisOpsException exit 2 naming what was found and what to set, when no program of the
   *     backup's engine and version is at hand
   */
  public static DrillServer locate(
      Manifest m, Path configured, RedisEndpoint source, Duration timeout) {
    String wanted = wanted(m);
    List<String> seen = new ArrayList<>();
    if (configured != null) {
      DrillServer s = probe(configured);
      if (matches(s.identity(), m)) {
        return s;
      }
      throw RedisOpsException.usage(
          "drill.server "
              + configured
              + " is "
              + s.identity().describe()
              + ", but backup "
              + m.id()
              + " was taken from "
              + wanted
              + "; set drill.server to a redis-server of that engine and version");
    }
    Optional<Path> exe = sourceExecutable(source, timeout, seen);
    if (exe.isPresent()) {
      DrillServer s = probe(exe.get());
      if (matches(s.identity(), m)) {
        return s;
      }
      seen.add(source.address() + " now runs " + s.describe());
    }
    throw RedisOpsException.usage(
        "no server program of "
            + wanted
            + " (the source of backup "
            + m.id()
            + ") is at hand: "
            + String.join("; ", seen)
            + "; set drill.server to the path of a "
            + wanted
            + " redis-server on this host");
  }

  /** The source's engine and version as the manifest records them. */
  static String wanted(Manifest m) {
    Manifest.Source s = m.source();
    return s == null || s.redisVersion() == null
        ? "the " + m.rdbEngineOrDefault() + " engine (version not recorded)"
        : s.describe();
  }

  /**
   * Same engine and version as the backup's source; a backup whose source version is unknown (an
   * imported copy) takes any program of the RDB's engine.
   */
  static boolean matches(ServerIdentity have, Manifest m) {
    Manifest.Source s = m.source();
    if (s == null || s.redisVersion() == null) {
      return have.engine().equals(m.rdbEngineOrDefault());
    }
    String engine = s.engine() == null ? ServerIdentity.REDIS : s.engine();
    String version =
        ServerIdentity.VALKEY.equals(engine) && s.engineVersion() != null
            ? s.engineVersion()
            : s.redisVersion();
    return have.engine().equals(engine) && have.version().equals(version);
  }

  private static Optional<Path> sourceExecutable(
      RedisEndpoint source, Duration timeout, List<String> seen) {
    if (source == null) {
      seen.add("no Redis of the dataset is configured to ask");
      return Optional.empty();
    }
    Map<String, String> info;
    try (RedisSession redis = RedisConnector.connect(source, timeout)) {
      info = redis.info("server");
    } catch (RedisOpsException e) {
      seen.add(
          "the dataset's Redis at "
              + source.address()
              + " cannot be asked ("
              + e.getMessage()
              + ")");
      return Optional.empty();
    }
    String exe = info.getOrDefault("executable", "");
    if (exe.isEmpty()) {
      seen.add(source.address() + " does not report its executable (INFO server)");
      return Optional.empty();
    }
    Path p = Path.of(exe);
    if (!Files.isExecutable(p)) {
      // A server started by its bare name reports <its working directory>/<name>: the same name on
      // PATH is taken, its version is checked like any other program's
      Optional<Path> onPath = onPath(p.getFileName().toString());
      if (onPath.isPresent()) {
        return onPath;
      }
      seen.add(
          source.address()
              + " runs "
              + exe
              + ", which is not an executable file on this host (another host, or a container)");
      return Optional.empty();
    }
    return Optional.of(p);
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Asks a program its engine and version ({@code --version}). */
  static DrillServer probe(Path program) {
    if (!Files.isExecutable(program)) {
      throw RedisOpsException.usage(
          "drill.server " + program + " is not an executable file; set it to a redis-server");
    }
    String out;
    try {
      Process p =
          new ProcessBuilder(program.toString(), "--version")
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      byte[] bytes = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      out = new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw RedisOpsException.usage("unable to run '" + program + " --version': " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted while asking " + program + " its version", e);
    }
    Matcher v = VERSION.matcher(out);
    if (!v.find()) {
      throw RedisOpsException.usage(
          "'"
              + program
              + " --version' does not say 'Redis server v=...' or 'Valkey server v=...'; set"
              + " drill.server to a redis-server");
    }
    String engine = v.group(1).toLowerCase(Locale.ROOT);
    String version = v.group(2);
    return new DrillServer(
        program,
        engine.equals(ServerIdentity.VALKEY)
            ? new ServerIdentity(ServerIdentity.VALKEY, version, null)
            : new ServerIdentity(ServerIdentity.REDIS, version, version));
  }
}

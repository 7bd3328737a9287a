package io.redisops.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One Redis or Valkey server of the compatibility matrix, by name: Debian's Redis 7.0 from PATH, or
 * a server that {@code scripts/build-servers.sh} built from Debian's source packages into {@code
 * ~/.cache/redis-ops/servers/<name>} (override with the environment variable {@code
 * REDIS_OPS_SERVERS}). A built server's binary acts as {@code redis-server}, {@code
 * redis-sentinel}, {@code redis-check-rdb} and {@code redis-check-aof}, by the name it is called
 * with; the build script links each name.
 *
 * @param name e.g. {@code redis-7.0}, {@code redis-8.0}, {@code redis-8.6}, {@code valkey-8.1},
 *     {@code valkey-9.1}
 * @param binDir the folder holding the programs, or null for PATH (Debian's packages)
 */
public record ServerBuild(String name, Path binDir) {

  /** Debian 12's Redis 7.0, from PATH: what every other test runs on. */
  public static final ServerBuild DEBIAN = new ServerBuild("redis-7.0", null);

  /** Every server of the matrix, oldest line first. */
  public static final List<String> MATRIX =
      List.of("redis-7.0", "valkey-8.1", "redis-8.0", "redis-8.6", "valkey-9.1");

  /** The cache folder of built servers. */
  public static Path cache() {
    String env = System.getenv("REDIS_OPS_SERVERS");
    return env != null && !env.isEmpty()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "redis-ops", "servers");
  }

  /**
   * The server called {@code name}, when it is installed (Debian's) or was built completely; else
   * empty.
   */
  public static Optional<ServerBuild> find(String name) {
    if (name.equals(DEBIAN.name())) {
      return Optional.of(DEBIAN);
    }
    Path dir = cache().resolve(name);
    if (!Files.isRegularFile(dir.resolve("ok"))) {
      return Optional.empty();
    }
    return Optional.of(new ServerBuild(name, dir.resolve("bin")));
  }

  /** Like {@link #find(String)}, for a test that cannot run without it. */
  public static ServerBuild require(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "server "
                        + name
                        + " is not built in "
                        + cache()
                        + "; run scripts/build-servers.sh "
                        + name));
  }

  public boolean isValkey() {
    return name.startsWith("valkey");
  }

  /**
   * The absolute path of one of the programs ({@code redis-server}, {@code redis-check-aof}, ...).
   */
  public Path executable(String program) {
    if (binDir == null) {
      return Executables.find(program);
    }
    Path p = binDir.resolve(program);
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(
          program + " missing in " + binDir + "; run scripts/build-servers.sh " + name);
    }
    return p.toAbsolutePath();
  }

  @Override
  public String toString() {
    return name;
  }
}

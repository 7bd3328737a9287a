package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the AOF: from a running Redis ({@code CONFIG GET dir / appenddirname / appendfilename}) or
 * from a folder given with {@code --dir} (the data directory holding {@code appendonlydir}, or the
 * AOF folder itself).
 */
public final class AofLocator {
  static final String DEFAULT_DIR_NAME = "appendonlydir";
  static final String DEFAULT_FILE_NAME = "appendonly.aof";
  private static final String MANIFEST_SUFFIX = ".manifest";

  private AofLocator() {}

  /**
   * The AOF under {@code dir}.
   *
   * @throws RedisOpsException not found (4) when no AOF is there, usage (2) when the folder is
   *     ambiguous
   */
  public static AofLocation fromDir(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(d)) {
      throw RedisOpsException.usage(
          "--dir '" + dir + "' is not a folder; give the Redis data directory or its AOF folder");
    }
    Optional<Path> manifest = manifestIn(d);
    if (manifest.isPresent()) {
      return multiPart(d.getParent() == null ? d : d.getParent(), manifest.get());
    }
    Path standard = d.resolve(DEFAULT_DIR_NAME);
    Optional<Path> inStandard =
        Files.isDirectory(standard) ? manifestIn(standard) : Optional.empty();
    if (inStandard.isPresent()) {
      return multiPart(d, inStandard.get());
    }
    // A non-default appenddirname: any sub-folder that holds exactly one manifest.
    List<Path> candidates;
    try (Stream<Path> sub = Files.list(d)) {
      candidates =
          sub.filter(Files::isDirectory)
              .map(AofLocator::manifestIn)
              .flatMap(Optional::stream)
              .toList();
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to list '" + d + "': " + e.getMessage(), e);
    }
    if (candidates.size() == 1) {
      return multiPart(d, candidates.get(0));
    }
    if (candidates.size() > 1) {
      throw RedisOpsException.usage(
          "several AOF folders in '"
              + d
              + "' ("
              + candidates
              + "); give the one to use with --dir");
    }
    Path single = d.resolve(DEFAULT_FILE_NAME);
    if (Files.isRegularFile(single)) {
      return single(d, single);
    }
    throw RedisOpsException.notFound(
        "no AOF in '"
            + d
            + "' (no "
            + DEFAULT_DIR_NAME
            + "/*"
            + MANIFEST_SUFFIX
            + ", no "
            + DEFAULT_FILE_NAME
            + "); give the Redis data directory with --dir");
  }

  /**
   * Not found (exit 4) for a Redis at an address that is not this host's: its {@code dir} names a
   * folder of its own host, and the same path here may hold another Redis' AOF, which would be
   * read, repaired or rewritten as its.
   */
  static void refuseOtherHost(RedisEndpoint endpoint) {
    if (!endpoint.onThisHost()) {
      throw RedisOpsException.notFound(
          "Redis at "
              + endpoint
              + " is not at an address of this host, and redis-ops works on the AOF files of a"
              + " Redis on this host; run redis-ops on the Redis host, or give a copy with --dir");
    }
  }

  /**
   * The AOF of a running Redis, which must be on this host (its files are read directly).
   *
   * @throws RedisOpsException not found (4) when the files are not here or the AOF is off and has
   *     no files
   */
  public static AofLocation fromRedis(RedisSession redis) {
    refuseOtherHost(redis.endpoint());
    Path dir =
        Path.of(
            redis
                .configGet("dir")
                .orElseThrow(
                    () ->
                        RedisOpsException.failed(
                            "Redis at "
                                + redis.endpoint()
                                + " did not answer CONFIG GET dir; give the data directory with --dir")));
    String fileName =
        redis.configGet("appendfilename").filter(s -> !s.isEmpty()).orElse(DEFAULT_FILE_NAME);
    Optional<String> dirName = redis.configGet("appenddirname").filter(s -> !s.isEmpty());
    boolean on = redis.configGet("appendonly").map("yes"::equalsIgnoreCase).orElse(false);
    if (!Files.isDirectory(dir)) {
      throw RedisOpsException.notFound(
          "the data directory '"
              + dir
              + "' of Redis at "
              + redis.endpoint()
              + " is not on this host; run redis-ops on the Redis host, or give a copy with --dir");
    }
    if (dirName.isPresent()) {
      Path manifest = dir.resolve(dirName.get()).resolve(fileName + MANIFEST_SUFFIX);
      if (Files.isRegularFile(manifest)) {
        return multiPart(dir, manifest);
      }
      throw RedisOpsException.notFound(
          "no AOF manifest '"
              + manifest
              + "'"
              + (on ? "" : " (appendonly is no)")
              + "; redis-ops works on the AOF of a Redis on this host");
    }
    Path single = dir.resolve(fileName);
    if (Files.isRegularFile(single)) {
      return single(dir, single);
    }
    throw RedisOpsException.notFound(
        "no AOF file '" + single + "'" + (on ? "" : " (appendonly is no)"));
  }

  static AofLocation multiPart(Path dataDir, Path manifest) {
    AofManifest m = AofManifest.read(manifest);
    List<AofFile> loaded = m.loaded();
    if (loaded.isEmpty()) {
      throw RedisOpsException.integrity(
          "AOF manifest '" + manifest + "' lists no base or incr file");
    }
    return new AofLocation(dataDir, manifest.getParent(), manifest, true, loaded);
  }

  static AofLocation single(Path dataDir, Path file) {
    return new AofLocation(
        dataDir,
        dataDir,
        file,
        false,
        List.of(new AofFile(file.getFileName().toString(), file, AofFile.Type.SINGLE, 0)));
  }

  private static Optional<Path> manifestIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> manifests =
          files
              .filter(p -> p.getFileName().toString().endsWith(MANIFEST_SUFFIX))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
      if (manifests.size() > 1) {
        Path standard = dir.resolve(DEFAULT_FILE_NAME + MANIFEST_SUFFIX);
        return manifests.contains(standard) ? Optional.of(standard) : Optional.of(manifests.get(0));
      }
      return manifests.stream().findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}

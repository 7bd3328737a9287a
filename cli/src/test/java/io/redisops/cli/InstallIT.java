package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Build and install" steps of docs/operations.md, run as written (without {@code sudo}, {@code
 * /usr/local} replaced by a temporary prefix), then {@code redis-ops --version} through the {@code
 * bin/redis-ops} symlink they create: the launcher must find the jar next to the script the link
 * points to, not next to the link.
 */
class InstallIT {
  private static final String PREFIX = "/usr/local";

  @TempDir Path tmp;

  @Test
  void theDocumentedInstallStepsGiveACommandThatStarts() throws Exception {
    Path prefix = tmp.resolve("usr-local");
    Files.createDirectories(
        prefix.resolve("bin")); // exists on every system the install steps address
    List<String> steps = installSteps(prefix);
    assertThat(steps)
        .as("the install commands of docs/operations.md")
        .anySatisfy(s -> assertThat(s).startsWith("ln -sf"));

    for (String step : steps) {
      Run r = sh(List.of("sh", "-ec", step), RedisOpsProcess.projectRoot(), null);
      assertThat(r.exit).as("install step '%s': %s", step, r.output).isZero();
    }
    assertThat(prefix.resolve("lib/redis-ops/redis-ops.jsa"))
        .as("the class-data-sharing archive make-cds-archive writes")
        .isNotEmptyFile();
    assertThat(prefix.resolve("lib/redis-ops/redis-ops-data.jsa"))
        .as("the data commands' class-data-sharing archive make-cds-archive writes")
        .isNotEmptyFile();
    Path link = prefix.resolve("bin/redis-ops");
    assertThat(Files.isSymbolicLink(link)).as("%s is a symlink", link).isTrue();

    Run byPath = sh(List.of(link.toString(), "--version"), tmp, null);
    assertThat(byPath.exit).as(byPath.output).isZero();
    assertThat(byPath.output).contains("redis-ops ").doesNotContain("is missing");

    // the launcher starts the JVM with the archive: the command's own classes come from it
    Run traced =
        sh(
            List.of(
                "env",
                "REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xlog:class+load",
                link.toString(),
                "--version"),
            tmp,
            null);
    assertThat(traced.exit).as(traced.output).isZero();
    assertThat(traced.output)
        .contains("io.redisops.cli.Main source: shared objects file")
        // picocli's classes too (the build made them Java 8 class files: UpgradeClassFiles)
        .contains("picocli.CommandLine source: shared objects file");
    // the archive of the commands without S3 or Sentinel holds the data path's classes (backup,
    // restore, verify), from the class list its training run loads (--core), and not Lettuce
    Path lib = prefix.resolve("lib/redis-ops");
    Run content =
        sh(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:SharedArchiveFile=" + lib.resolve("redis-ops.jsa"),
                "-XX:+PrintSharedArchiveAndExit",
                "-jar",
                lib.resolve("redis-ops.jar").toString()),
            tmp,
            null);
    assertThat(content.exit).as(content.output).isZero();
    assertThat(content.output)
        .contains(
            "io.redisops.backup.rdb.RdbAnalyzer app_loader",
            "io.redisops.redis.RespConnection app_loader",
            "picocli.CommandLine app_loader")
        .doesNotContain("io.lettuce.core.RedisClient app_loader");
    // an off-site command starts with the data commands' archive, and Main comes from it
    Run data =
        sh(
            List.of(
                "env",
                "REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xlog:cds -Xlog:class+load",
                link.toString(),
                "fetch",
                "--help"),
            tmp,
            null);
    assertThat(data.exit).as(data.output).isZero();
    assertThat(data.output)
        .containsPattern("Opened archive \\S*/lib/redis-ops/redis-ops-data\\.jsa")
        .contains("io.redisops.cli.Main source: shared objects file (top)");
    // push takes the small one: the data archive's pages raised its peak RSS; and its memory
    // options, the no-inline rule passed whole even where a file name matches its "*"
    Files.createFile(tmp.resolve("software.amazon.awssdk.glob::match"));
    Run push =
        sh(
            List.of(
                "env",
                "REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xlog:cds -XX:+PrintCommandLineFlags",
                link.toString(),
                "push",
                "--help"),
            tmp,
            null);
    assertThat(push.exit).as(push.output).isZero();
    assertThat(push.output)
        .containsPattern("Opened archive \\S*/lib/redis-ops/redis-ops\\.jsa")
        .doesNotContain("redis-ops-data.jsa")
        .contains("-XX:MaxNewSize=8388608")
        .contains("-XX:CompileCommand=dontinline,software.amazon.awssdk.*::*")
        // quiet: the JVM does not announce the rule on stdout
        .doesNotContain("CompileCommand: dontinline");
    // backup gets the young generation's cap alone
    Run backup =
        sh(
            List.of(
                "env",
                "REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -XX:+PrintCommandLineFlags",
                link.toString(),
                "backup",
                "--help"),
            tmp,
            null);
    assertThat(backup.exit).as(backup.output).isZero();
    assertThat(backup.output).contains("-XX:MaxNewSize=8388608").doesNotContain("CompileCommand");

    // the way an operator types it: found through PATH, started from an unrelated folder
    Run byName = sh(List.of("sh", "-c", "redis-ops --version"), tmp, prefix.resolve("bin"));
    assertThat(byName.exit).as(byName.output).isZero();
    assertThat(byName.output).contains("redis-ops ");
  }

  @Test
  void aRelativeLinkToALinkIsFollowedToo() throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("opt/redis-ops-1.0"));
    Path moduleTarget = RedisOpsProcess.moduleDir().resolve("target");
    Files.copy(moduleTarget.resolve("redis-ops"), lib.resolve("redis-ops"));
    Files.copy(moduleTarget.resolve("redis-ops.jar"), lib.resolve("redis-ops.jar"));
    Files.createSymbolicLink(tmp.resolve("opt/current"), Path.of("redis-ops-1.0"));
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("redis-ops"), Path.of("../opt/current/redis-ops"));

    Run r = sh(List.of(bin.resolve("redis-ops").toString(), "--version"), tmp, null);
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("redis-ops ");
  }

  /**
   * The shell commands of docs/operations.md's install block, except the build, adapted to {@code
   * prefix}.
   */
  private static List<String> installSteps(Path prefix) throws IOException {
    List<String> lines =
        Files.readAllLines(RedisOpsProcess.projectRoot().resolve("docs/operations.md"));
    int heading = lines.indexOf("## Build and install");
    assertThat(heading).as("docs/operations.md has a 'Build and install' section").isNotNegative();
    int open = heading + 1;
    while (!lines.get(open).startsWith("```")) {
      open++;
    }
    List<String> steps = new ArrayList<>();
    for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
      String command = lines.get(i).replaceFirst("\\s+#.*$", "").trim();
      if (command.isEmpty() || command.startsWith("mvn ") || command.startsWith("./mvnw ")) {
        continue; // the jar is already built by this module's package phase
      }
      steps.add(command.replaceFirst("^sudo\\s+", "").replace(PREFIX, prefix.toString()));
    }
    return steps;
  }

  private record Run(int exit, String output) {}

  /**
   * Runs a command to completion (output to a file, so no pipe can block it); JAVA is this JVM's
   * java.
   */
  private Run sh(List<String> command, Path dir, Path extraPath) throws Exception {
    Path out = Files.createTempFile(tmp, "run-", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
    pb.environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (extraPath != null) {
      pb.environment()
          .put("PATH", extraPath + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    }
    Process p = pb.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ended within 60 s", command).isTrue();
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}

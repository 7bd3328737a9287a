package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./quickstart.sh}, as written, with no Redis at the given address: it starts a throwaway
 * server and runs the daemon, which backs it up at once (catch-up); SIGTERM stops the daemon (exit
 * 0) and the throwaway server.
 */
class QuickstartIT {
  private static final Pattern THROWAWAY =
      Pattern.compile("starting a THROWAWAY redis-server on 127\\.0\\.0\\.1:(\\d+) in (\\S+)");

  @TempDir Path tmp;

  @Test
  void backsUpAThrowawayServerAndStopsIt() throws Exception {
    Path root = RedisOpsProcess.projectRoot();
    Path script = root.resolve("quickstart.sh");
    assertThat(script).isExecutable();
    assertJarIsFresh(root);

    Path repo = tmp.resolve("backups");
    Path scratch =
        Files.createDirectories(tmp.resolve("scratch")); // mktemp -d puts the throwaway server here
    Path out = tmp.resolve("quickstart.out");
    Path err = tmp.resolve("quickstart.err");
    int nothingThere = RedisOpsProcess.freePort();
    ProcessBuilder pb =
        new ProcessBuilder("./quickstart.sh")
            .directory(root.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
    pb.environment().put("REDIS_OPS_QUICKSTART_REDIS", "redis://127.0.0.1:" + nothingThere);
    pb.environment().put("REDIS_OPS_QUICKSTART_REPO", repo.toString());
    pb.environment().put("TMPDIR", scratch.toString());

    Process p = pb.start();
    int exit;
    String stdout;
    int port = -1;
    String throwawayDir = null;
    try {
      Await.until(
          Duration.ofMinutes(3),
          "the daemon's first backup in " + repo,
          () -> {
            try {
              return !RepoTree.backupFolders(repo, "quickstart-demo").isEmpty()
                  && Files.exists(
                      RepoTree.backupFolders(repo, "quickstart-demo")
                          .get(0)
                          .resolve("manifest.json"));
            } catch (RuntimeException e) {
              return false; // the folder is being created
            }
          });
      p.destroy(); // SIGTERM to the script, as a service manager or the user would stop it
      boolean done = p.waitFor(3, TimeUnit.MINUTES);
      stdout = Files.readString(out);
      String stderr = Files.readString(err);
      assertThat(done)
          .as("quickstart.sh ended within 3 minutes; stdout:\n%s\nstderr:\n%s", stdout, stderr)
          .isTrue();
      exit = p.exitValue();
      Matcher m = THROWAWAY.matcher(stdout);
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        throwawayDir = m.group(2);
      }
      assertThat(exit).as("stdout:\n%s\nstderr:\n%s", stdout, stderr).isZero();
    } finally {
      // whatever happened, nothing the script started may outlive the test
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }

    assertThat(port).as("stdout names the throwaway server:\n%s", stdout).isPositive();
    assertThat(port).isNotIn(6379, 26379, nothingThere);
    assertThat(throwawayDir).startsWith(scratch.toString());

    // one complete backup of the demo data set: 100 strings, a hash and a list
    List<Path> folders = RepoTree.backupFolders(repo, "quickstart-demo");
    assertThat(folders).as(stdout).hasSize(1);
    Path manifest = folders.get(0).resolve("manifest.json");
    assertThat(manifest).isRegularFile();
    JsonNode m = RepoTree.json(manifest);
    assertThat(m.path("dataset").asText()).isEqualTo("quickstart-demo");
    assertThat(m.path("total_keys").asLong()).isEqualTo(102);
    assertThat(stdout).contains(m.path("id").asText());
    assertThat(RepoTree.partFiles(repo)).isEmpty();

    // the throwaway server is gone, and so is its folder
    String portMark = "127.0.0.1:" + port;
    String dirMark = throwawayDir;
    List<ProcessHandle> left =
        ProcessHandle.allProcesses()
            .filter(
                h ->
                    h.info()
                        .commandLine()
                        .map(c -> c.contains(portMark) || c.contains(dirMark))
                        .orElse(false))
            .toList();
    try {
      assertThat(left).as("processes left by quickstart.sh").isEmpty();
    } finally {
      left.forEach(ProcessHandle::destroyForcibly);
    }
    assertThat(Path.of(throwawayDir)).doesNotExist();
  }

  /**
   * quickstart.sh rebuilds the jar with Maven when a source is newer than it; inside {@code mvn
   * verify} the jar was just built, and a nested Maven run would be wrong here, so say so instead
   * of letting it happen.
   */
  private static void assertJarIsFresh(Path root) throws IOException {
    FileTime jarTime = Files.getLastModifiedTime(RedisOpsProcess.jar());
    List<Path> newer = new ArrayList<>();
    List<Path> roots = new ArrayList<>(List.of(root.resolve("pom.xml")));
    try (Stream<Path> modules = Files.list(root)) {
      modules
          .filter(Files::isDirectory)
          .forEach(
              d -> {
                roots.add(d.resolve("pom.xml"));
                roots.add(d.resolve("src"));
              });
    }
    for (Path r : roots) {
      if (!Files.exists(r)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(r)) {
        s.filter(Files::isRegularFile)
            .filter(
                f -> {
                  try {
                    return Files.getLastModifiedTime(f).compareTo(jarTime) > 0;
                  } catch (IOException e) {
                    return false;
                  }
                })
            .forEach(newer::add);
      }
    }
    assertThat(newer)
        .as("sources newer than %s (quickstart.sh would rebuild it)", RedisOpsProcess.jar())
        .isEmpty();
  }
}

package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Debian package built by the {@code deb} profile (active wherever {@code /usr/bin/dpkg-deb}
 * exists): its control metadata and contents ({@code dpkg-deb -I/-f/-c}); and, when the tests run
 * as root on a machine without redis-ops installed, a real {@code dpkg -i} into this system, the
 * installed command, man page and folders, then {@code dpkg --purge}, which keeps the backups and
 * removes the rest.
 */
class DebianPackageIT {
  private static final Path TARGET = RedisOpsProcess.moduleDir().resolve("target");
  private static final Path STATE = Path.of("/var/lib/redis-ops");

  @TempDir Path tmp;

  @Test
  void theControlMetadataAndTheContentsAreComplete() throws Exception {
    Path deb = deb();
    assertThat(run("dpkg-deb", "-f", deb.toString(), "Package").out.strip()).isEqualTo("redis-ops");
    assertThat(run("dpkg-deb", "-f", deb.toString(), "Architecture").out.strip()).isEqualTo("all");
    assertThat(run("dpkg-deb", "-f", deb.toString(), "Depends").out.strip())
        .isEqualTo(
            "default-jre-headless (>= 2:1.17) | java17-runtime-headless, redis-tools, adduser");
    assertThat(run("dpkg-deb", "-f", deb.toString(), "Installed-Size").out.strip())
        .matches("[1-9][0-9]{4,}");
    Run info = run("dpkg-deb", "-I", deb.toString());
    assertThat(info.out).contains("postinst", "postrm", "prerm", "conffiles");
    assertThat(run("dpkg-deb", "-I", deb.toString(), "conffiles").out.lines())
        .containsExactlyInAnyOrder("/etc/redis-ops/redis-ops.yaml", "/etc/default/redis-ops");

    String contents = run("dpkg-deb", "-c", deb.toString()).out;
    assertThat(contents)
        .contains("./usr/bin/redis-ops -> ../share/redis-ops/redis-ops")
        .containsPattern(
            "-rwxr-xr-x root/root +[0-9]+ [0-9-]+ [0-9:]+ \\./usr/share/redis-ops/redis-ops\n")
        .containsPattern(
            "-rw-r--r-- root/root +[0-9]+ [0-9-]+ [0-9:]+ \\./usr/share/redis-ops/redis-ops\\.jar\n")
        .contains(
            "./etc/redis-ops/redis-ops.yaml",
            "./etc/default/redis-ops",
            "./lib/systemd/system/redis-ops.service",
            "./usr/share/bash-completion/completions/redis-ops",
            "./usr/share/doc/redis-ops/README.md.gz",
            "./usr/share/doc/redis-ops/docs/configuration.md.gz",
            "./usr/share/doc/redis-ops/docs/commands.md.gz",
            "./usr/share/doc/redis-ops/docs/operations.md.gz",
            "./usr/share/doc/redis-ops/copyright",
            "./usr/share/doc/redis-ops/changelog.gz",
            "./usr/share/doc/redis-ops/examples/grafana/redis-ops-dashboard.json",
            "./usr/share/doc/redis-ops/examples/prometheus/redis-ops.rules.yml");
    for (String page : manPages()) {
      assertThat(contents).contains("./usr/share/man/man1/" + page + ".1.gz");
    }
  }

  /**
   * The conffile as shipped is a valid configuration (commented defaults; the repository path set).
   */
  @Test
  void theShippedConfigurationLoads() throws Exception {
    Path conf = RedisOpsProcess.projectRoot().resolve("dist/debian/redis-ops.yaml");
    Run r =
        run(
            java(),
            "-jar",
            RedisOpsProcess.jar().toString(),
            "-c",
            conf.toString(),
            "--repo",
            tmp.resolve("repo").toString(),
            "list");
    assertThat(r.exit).as(r.out).isZero();
  }

  @Test
  void dpkgInstallsAWorkingCommandAndPurgeKeepsTheBackups() throws Exception {
    Path deb = deb();
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "not root: dpkg -i is not tried");
    Assumptions.assumeFalse(
        run("dpkg-query", "-W", "-f=${Status}", "redis-ops").out.contains("ok installed"),
        "redis-ops is installed on this machine already: left alone");
    Assumptions.assumeFalse(
        Files.exists(STATE, LinkOption.NOFOLLOW_LINKS), STATE + " exists: left alone");
    Assumptions.assumeTrue(
        run("getent", "passwd", "redis").exit == 0,
        "no redis user here: purge would remove the user the package creates, tried only where it exists");
    try {
      Run install = run("dpkg", "-i", deb.toString());
      assertThat(install.exit).as(install.out).isZero();

      Run version = run("redis-ops", "--version");
      assertThat(version.exit).as(version.out).isZero();
      assertThat(version.out).startsWith("redis-ops ");
      Run help = run("redis-ops", "--help");
      assertThat(help.exit).as(help.out).isZero();
      assertThat(help.out).contains("backup", "restore", "daemon");
      Run man = run("man", "-w", "redis-ops-backup");
      assertThat(man.exit).as(man.out).isZero();
      assertThat(man.out.strip()).isEqualTo("/usr/share/man/man1/redis-ops-backup.1.gz");
      Run page = run("sh", "-c", "MANWIDTH=80 man redis-ops-backup | cat");
      assertThat(page.out).contains("redis-ops backup");

      PosixFileAttributes state = Files.readAttributes(STATE, PosixFileAttributes.class);
      assertThat(PosixFilePermissions.toString(state.permissions())).isEqualTo("rwx------");
      assertThat(state.owner().getName()).isEqualTo("redis");
      PosixFileAttributes conf =
          Files.readAttributes(Path.of("/etc/redis-ops/redis-ops.yaml"), PosixFileAttributes.class);
      assertThat(PosixFilePermissions.toString(conf.permissions())).isEqualTo("rw-r-----");
      assertThat(conf.group().getName()).isEqualTo("redis");
      Run list =
          run(
              "redis-ops",
              "-c",
              "/etc/redis-ops/redis-ops.yaml",
              "--repo",
              tmp.resolve("r").toString(),
              "list");
      assertThat(list.exit).as(list.out).isZero();

      // what a daemon leaves: a backup in the repository, a lock beside it
      Path backup = Files.createDirectories(STATE.resolve("backups/cache/20261122T110000Z"));
      Files.writeString(backup.resolve("manifest.json"), "{}");
      Files.createDirectories(STATE.resolve(".offsite/cache"));
      Run purge = run("dpkg", "--purge", "redis-ops");
      assertThat(purge.exit).as(purge.out).isZero();
      assertThat(purge.out).contains("backups kept in /var/lib/redis-ops/backups");
      assertThat(Path.of("/usr/bin/redis-ops")).doesNotExist();
      assertThat(Path.of("/usr/share/redis-ops")).doesNotExist();
      assertThat(Path.of("/etc/redis-ops")).doesNotExist();
      assertThat(Path.of("/etc/default/redis-ops")).doesNotExist();
      assertThat(Path.of("/lib/systemd/system/redis-ops.service")).doesNotExist();
      assertThat(backup.resolve("manifest.json")).exists();
      try (Stream<Path> left = Files.list(STATE)) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("backups");
      }
      assertThat(run("getent", "passwd", "redis").exit)
          .as("the redis user it did not create")
          .isZero();
    } finally {
      if (run("dpkg-query", "-W", "-f=${Status}", "redis-ops").out.contains("ok installed")) {
        run("dpkg", "--purge", "redis-ops");
      }
      run("rm", "-rf", STATE.toString()); // did not exist before the test
    }
  }

  private static List<String> manPages() {
    List<String> pages = new ArrayList<>();
    collect(Cli.commandLine(), pages);
    return pages;
  }

  private static void collect(CommandLine c, List<String> into) {
    into.add(c.getCommandSpec().qualifiedName("-"));
    c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, into));
  }

  private static Path deb() throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
        "dpkg-deb is not installed: the deb profile did not build the package");
    try (Stream<Path> files = Files.list(TARGET)) {
      return files
          .filter(p -> p.getFileName().toString().matches("redis-ops_.*_all\\.deb"))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no redis-ops_*_all.deb in " + TARGET + " although dpkg-deb exists"));
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private record Run(int exit, String out) {}

  private Run run(String... command) throws Exception {
    Path out = Files.createTempFile(tmp, "run-", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = pb.start();
    try {
      assertThat(p.waitFor(300, TimeUnit.SECONDS))
          .as("%s ended within 300 s", List.of(command))
          .isTrue();
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}

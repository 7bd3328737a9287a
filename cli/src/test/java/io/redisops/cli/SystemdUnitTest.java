package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dist/redis-ops.service}: the JVM options reach the launcher whole. systemd splits an
 * {@code Environment=} value into words at unquoted white space and ignores every word that is not
 * an assignment, so an unquoted {@code REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xmx256m} loses the
 * heap cap.
 */
class SystemdUnitTest {
  private static final Path UNIT = RedisOpsProcess.projectRoot().resolve("dist/redis-ops.service");

  @TempDir Path tmp;

  @Test
  void theEnvironmentLineCapsTheHeap() throws Exception {
    Environment env = environment(Files.readAllLines(UNIT, StandardCharsets.UTF_8));
    assertThat(env.ignored()).as("words systemd would ignore").isEmpty();
    assertThat(env.assignments()).containsKey("REDIS_OPS_JAVA_OPTS");
    // the launcher word-splits the value into JVM options
    assertThat(env.assignments().get("REDIS_OPS_JAVA_OPTS").split("\\s+"))
        .contains("-Xmx256m", "-XX:+UseSerialGC", "-Xms16m", "-XX:MaxHeapFreeRatio=30");
  }

  @Test
  void theParserSeesTheDefectOfAnUnquotedValue() {
    Environment env =
        environment(
            List.of("[Service]", "Environment=REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xmx256m"));
    assertThat(env.ignored()).containsExactly("-Xmx256m");
    assertThat(env.assignments()).containsEntry("REDIS_OPS_JAVA_OPTS", "-XX:+UseSerialGC");
  }

  @Test
  void theUnitIsHardened() throws Exception {
    List<String> lines = Files.readAllLines(UNIT, StandardCharsets.UTF_8);
    assertThat(lines)
        .contains(
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/redis-ops",
            "NoNewPrivileges=true",
            "PrivateTmp=true",
            "PrivateDevices=true",
            "ProtectHome=true",
            "ProtectKernelTunables=true",
            "ProtectKernelModules=true",
            "ProtectKernelLogs=true",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "UMask=0077",
            "Restart=on-failure",
            "EnvironmentFile=-/etc/default/redis-ops",
            "ExecStart=/usr/bin/redis-ops -c /etc/redis-ops/redis-ops.yaml daemon");
    // the JIT compiler needs writable executable memory: this setting would stop the JVM
    assertThat(lines).noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=true"));
    // EnvironmentFile= comes after Environment=, so /etc/default/redis-ops overrides the built-in
    // default
    assertThat(lines.indexOf("EnvironmentFile=-/etc/default/redis-ops"))
        .isGreaterThan(
            lines.indexOf(
                "Environment=\"REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC -Xms16m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30\""));
  }

  /**
   * {@code dist/default/redis-ops} (installed as /etc/default/redis-ops): its JVM options reach the
   * launcher whole.
   */
  @Test
  void theDefaultsFileCapsTheHeap() throws Exception {
    List<String> lines =
        Files.readAllLines(RedisOpsProcess.projectRoot().resolve("dist/default/redis-ops"));
    List<String> asUnit = new ArrayList<>();
    for (String l : lines) {
      if (!l.isBlank() && !l.startsWith("#")) {
        asUnit.add(
            "Environment="
                + l); // an EnvironmentFile line is quoted and split like an Environment= word
      }
    }
    Environment env = environment(asUnit);
    assertThat(env.ignored()).isEmpty();
    assertThat(env.assignments().get("REDIS_OPS_JAVA_OPTS").split("\\s+"))
        .contains("-Xmx256m", "-XX:+UseSerialGC", "-Xms16m", "-XX:MaxHeapFreeRatio=30");
  }

  /**
   * {@code systemd-analyze security --offline=true}: the exposure score stays at or below 2.0
   * ("OK").
   */
  @Test
  void systemdAnalyzeSecurityScoresTheUnitOk() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
    Path copy = tmp.resolve("redis-ops.service");
    Files.copy(UNIT, copy);
    Path out = tmp.resolve("security.out");
    Process p =
        new ProcessBuilder(
                analyze.toString(), "security", "--offline=true", "--no-pager", copy.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String said = Files.readString(out);
    Assumptions.assumeFalse(
        said.contains("unrecognized option"), "this systemd-analyze has no --offline");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)").matcher(said);
    assertThat(m.find()).as(said).isTrue();
    assertThat(Double.parseDouble(m.group(1))).as(said).isLessThanOrEqualTo(2.0);
  }

  /**
   * systemd's own check, where it is installed; ExecStart pointed at a copy of the launcher so it
   * exists.
   */
  @Test
  void systemdAnalyzeVerifyAcceptsTheUnit() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
    Path launcher = tmp.resolve("redis-ops");
    Files.copy(RedisOpsProcess.moduleDir().resolve("src/main/dist/redis-ops"), launcher);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    String unit =
        Files.readString(UNIT, StandardCharsets.UTF_8)
            .replace("ExecStart=/usr/bin/redis-ops", "ExecStart=" + launcher);
    assertThat(unit).contains("ExecStart=" + launcher + " ");
    Path copy = tmp.resolve("redis-ops.service");
    Files.writeString(copy, unit, StandardCharsets.UTF_8);

    // Documentation=man:... is checked with man(1): the pages this module's package phase
    // generated, as installed
    // (a build from clean runs this test before the package phase: then only the rest of the unit
    // is verified)
    Path man1 = Files.createDirectories(tmp.resolve("man/man1"));
    for (String page : List.of("redis-ops.1", "redis-ops-daemon.1")) {
      Path generated = RedisOpsProcess.moduleDir().resolve("target/man/" + page);
      if (Files.isRegularFile(generated)) {
        Files.copy(generated, man1.resolve(page));
      } else {
        Files.writeString(
            copy, Files.readString(copy).replaceAll("man:\\S+ ", ""), StandardCharsets.UTF_8);
      }
    }
    Path out = tmp.resolve("verify.out");
    ProcessBuilder pb =
        new ProcessBuilder(analyze.toString(), "verify", copy.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().put("MANPATH", tmp.resolve("man").toString());
    Process p = pb.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String said = Files.readString(out);
    assertThat(said).doesNotContain("Invalid environment assignment");
    assertThat(p.exitValue()).as(said).isZero();
  }

  record Environment(Map<String, String> assignments, List<String> ignored) {}

  /**
   * The {@code Environment=} lines of a unit read as systemd reads them: words separated by
   * unquoted white space, double or single quotes group a word, backslash escapes the next
   * character; a word without {@code =} is ignored.
   */
  static Environment environment(List<String> unitLines) {
    Map<String, String> assignments = new LinkedHashMap<>();
    List<String> ignored = new ArrayList<>();
    for (String line : unitLines) {
      String trimmed = line.strip();
      if (!trimmed.startsWith("Environment=")) {
        continue;
      }
      for (String word : words(trimmed.substring("Environment=".length()))) {
        int eq = word.indexOf('=');
        if (eq <= 0) {
          ignored.add(word);
        } else {
          assignments.put(word.substring(0, eq), word.substring(eq + 1));
        }
      }
    }
    return new Environment(assignments, ignored);
  }

  private static List<String> words(String value) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        word = word == null ? new StringBuilder() : word;
        word.append(value.charAt(++i));
      } else if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}

package io.redisops.recovery.aof;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of {@code redis-check-aof}'s output that matter (formats seen with Redis 7.0, see
 * docs/redis-facts.md, "The AOF and redis-check-aof"):
 *
 * <pre>
 * AOF analyzed: filename=F, size=S, ok_up_to=O, ok_up_to_line=L, diff=D
 * [offset 0] Checking RDB file F          (then "RDB preamble of AOF file is not sane, aborting." when it is bad)
 * Failed to truncate AOF F because it is not the last file
 * All AOF files and manifest are valid
 * </pre>
 *
 * @param analyzed one entry per file the tool got to, by file name (as printed: base name for
 *     multi-part)
 * @param badRdb the file whose RDB part is damaged, or null
 * @param notLast the damaged file that is not the last incr file, or null
 * @param allValid the tool said everything is valid and exited 0
 * @param lastLine the last non-empty output line (the tool's own words when nothing above matched)
 */
public record CheckAofOutput(
    Map<String, Analyzed> analyzed,
    String badRdb,
    String notLast,
    boolean allValid,
    String lastLine) {

  private static final Pattern ANALYZED =
      Pattern.compile(
          "AOF analyzed: filename=(.*), size=(\\d+), ok_up_to=(\\d+), ok_up_to_line=(\\d+), diff=(\\d+)");
  private static final Pattern CHECKING_RDB = Pattern.compile("Checking RDB file (.*)$");
  private static final Pattern NOT_LAST =
      Pattern.compile("AOF (.*) because it is not the last file");

  /** One {@code AOF analyzed} line. */
  public record Analyzed(String file, long size, long okUpTo, long okUpToLine, long diff) {}

  public static CheckAofOutput parse(CheckAofTool.Output out) {
    Map<String, Analyzed> analyzed = new LinkedHashMap<>();
    String rdbFile = null;
    String badRdb = null;
    String notLast = null;
    String last = "";
    boolean inRdb = false; // an RDB part is being checked and has not been reported as analyzed yet
    List<String> lines = new ArrayList<>(List.of(out.text().split("\r?\n")));
    for (String line : lines) {
      if (!line.isBlank()) {
        last = line.strip();
      }
      Matcher m = ANALYZED.matcher(line);
      if (m.find()) {
        inRdb = false;
        analyzed.put(
            baseName(m.group(1)),
            new Analyzed(
                baseName(m.group(1)),
                Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5))));
        continue;
      }
      Matcher rdb = CHECKING_RDB.matcher(line);
      if (rdb.find()) {
        rdbFile = baseName(rdb.group(1).strip());
        inRdb = true;
      }
      if (line.contains("RDB preamble of AOF file is not sane")) {
        badRdb = rdbFile == null ? "?" : rdbFile;
      }
      Matcher nl = NOT_LAST.matcher(line);
      if (nl.find()) {
        String f = nl.group(1);
        notLast = baseName(f.startsWith("Failed to truncate AOF ") ? f.substring(23) : f);
      }
    }
    if (badRdb == null && inRdb && out.exitCode() != 0) {
      // A damaged length or type makes the RDB loader stop the tool ("Terminating server after rdb
      // file reading
      // failure.") before it prints "not sane": the RDB part it was reading is the damaged one.
      badRdb = rdbFile;
    }
    boolean allValid =
        out.exitCode() == 0
            && (out.text().contains("All AOF files and manifest are valid")
                || out.text().contains(" is valid"))
            && analyzed.values().stream().allMatch(a -> a.diff() == 0)
            && badRdb == null;
    return new CheckAofOutput(analyzed, badRdb, notLast, allValid, last);
  }

  private static String baseName(String f) {
    int slash = f.lastIndexOf('/');
    return slash < 0 ? f : f.substring(slash + 1);
  }
}

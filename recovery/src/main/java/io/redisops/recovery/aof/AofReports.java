package io.redisops.recovery.aof;

import io.redisops.recovery.aof.AofSteps.AofText;

/** How one file's report reads for an operator. */
public final class AofReports {
  private AofReports() {}

  /**
   * e.g. {@code appendonly.aof.1.incr.aof incr DAMAGED 213 bytes, valid up to 39, 174 bytes (5
   * commands) after it}.
   */
  public static String line(AofFileReport f) {
    StringBuilder s = new StringBuilder();
    s.append(f.name())
        .append("  ")
        .append(f.type().name().toLowerCase(java.util.Locale.ROOT))
        .append("  ")
        .append(f.status())
        .append("  ")
        .append(f.size())
        .append(" bytes");
    if (f.commands() >= 0) {
      s.append(", ").append(AofText.commands(f.commands())).append(f.damaged() ? " intact" : "");
    }
    if (f.status() == AofFileReport.Status.DAMAGED) {
      if (f.validUpTo() >= 0) {
        s.append(", valid up to byte ")
            .append(f.validUpTo())
            .append(", ")
            .append(f.bytesAfter())
            .append(" bytes (")
            .append(AofText.commands(f.commandsAfter()))
            .append(") after it");
      }
      if (f.problem() != null) {
        s.append(": ").append(f.problem());
      }
    } else if (f.status() == AofFileReport.Status.MISSING) {
      s.append(": ").append(f.problem());
    }
    if (f.lastIntactTime() != null) {
      s.append(f.damaged() ? ", last intact command logged at " : ", last logged at ")
          .append(f.lastIntactTime());
    }
    return s.toString();
  }
}

package io.redisops.cli;

import io.redisops.progress.ProgressListener;
import io.redisops.text.Sizes;
import java.io.PrintStream;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on stderr for a person at a terminal: a bar (bytes, rate, time left) when the size is
 * known; otherwise, and for server-side phases (BGSAVE, load, AOF rewrite), one line rewritten in
 * place with what is known.
 */
final class TerminalProgress implements ProgressListener {
  /**
   * How often the line is redrawn: often enough to look alive, rarely enough not to flood a slow
   * terminal.
   */
  private static final long REDRAW_NANOS = 250_000_000L;

  private final PrintStream err;
  private ProgressBar bar;

  /** The task of the in-place line, null when none is shown. */
  private String lineTask;

  private long bytes;
  private long started;
  private long lastDraw;
  private int lastWidth;
  private String lastText = "";

  TerminalProgress() {
    this(System.err);
  }

  TerminalProgress(PrintStream err) {
    this.err = err;
  }

  @Override
  public void begin(String task, long totalBytes) {
    end();
    if (totalBytes < 0) {
      // The bar library would show "? % [=] 0/? MiB": say what is known instead (bytes so far,
      // rate, time).
      lineTask = task;
      bytes = 0;
      started = System.nanoTime();
      draw(task + ": " + counted(), true);
      return;
    }
    bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(totalBytes)
            .setUnit(" MiB", 1024 * 1024)
            .showSpeed(
                new DecimalFormat(
                    "0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))) // "0.5 MiB/s", not ".5"
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(250)
            .setConsumer(new ConsoleProgressBarConsumer(err))
            .build();
  }

  @Override
  public void advance(long n) {
    if (bar != null) {
      bar.stepBy(n);
    } else if (lineTask != null) {
      bytes += n;
      draw(lineTask + ": " + counted(), false);
    }
  }

  @Override
  public void status(String task, String detail, double percent) {
    if (bar != null) {
      end();
    }
    if (!task.equals(lineTask)) {
      end();
      lineTask = task;
      started = System.nanoTime();
    }
    draw(task + ": " + (percent >= 0 ? Sizes.percent(percent) + ", " : "") + detail, false);
  }

  @Override
  public void end() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
    if (lineTask != null) {
      draw(lastText, true);
      err.println();
      err.flush();
      lineTask = null;
      lastWidth = 0;
    }
  }

  private String counted() {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return Sizes.human(bytes)
        + ", "
        + Sizes.rate(bytes, elapsed)
        + ", "
        + Sizes.seconds(elapsed.toSeconds());
  }

  /** Rewrites the line in place; blanks what a longer previous text left. */
  private void draw(String text, boolean force) {
    long now = System.nanoTime();
    lastText = text;
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    int pad = Math.max(0, lastWidth - text.length());
    err.print("\r" + text + " ".repeat(pad));
    err.flush();
    lastWidth = text.length();
  }
}

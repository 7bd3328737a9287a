package io.redisops.progress;

/**
 * Hears how a long operation (capture, verify, upload) advances, in bytes. Calls come from the
 * working thread.
 */
public interface ProgressListener {
  ProgressListener NONE =
      new ProgressListener() {
        @Override
        public void begin(String task, long totalBytes) {}

        @Override
        public void advance(long bytes) {}

        @Override
        public void end() {}
      };

  /** A task starts; {@code totalBytes} is -1 when unknown. */
  void begin(String task, long totalBytes);

  /** {@code bytes} more were processed. */
  void advance(long bytes);

  /** The task ended (successfully or not). */
  void end();

  /**
   * A phase whose work is not counted in bytes here (the server's BGSAVE, its load of an RDB, an
   * AOF rewrite): what is known about it now. Called again, by polling, with fresher figures;
   * {@link #end()} closes it. Without this a person at a terminal sees nothing for as long as the
   * server works.
   *
   * @param task what runs, e.g. {@code BGSAVE on 10.0.0.1:6379}
   * @param detail the figures known now, e.g. {@code rdb_bgsave_in_progress:1, 12 s, 1800 of 4000
   *     keys}
   * @param percent 0 to 100, or negative when unknown
   */
  default void status(String task, String detail, double percent) {}

  /** Both listeners hear everything. */
  static ProgressListener both(ProgressListener a, ProgressListener b) {
    return new ProgressListener() {
      @Override
      public void begin(String task, long totalBytes) {
        a.begin(task, totalBytes);
        b.begin(task, totalBytes);
      }

      @Override
      public void advance(long bytes) {
        a.advance(bytes);
        b.advance(bytes);
      }

      @Override
      public void end() {
        a.end();
        b.end();
      }

      @Override
      public void status(String task, String detail, double percent) {
        a.status(task, detail, percent);
        b.status(task, detail, percent);
      }
    };
  }
}

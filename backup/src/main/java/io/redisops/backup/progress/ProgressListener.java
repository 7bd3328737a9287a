package io.redisops.backup.progress;

/** Hears how a long operation (capture, verify, upload) advances, in bytes. Calls come from the working thread. */
public interface ProgressListener {
  ProgressListener NONE = new ProgressListener() {
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
    };
  }
}

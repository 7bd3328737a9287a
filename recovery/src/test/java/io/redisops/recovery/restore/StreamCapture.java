package io.redisops.recovery.restore;

import io.redisops.backup.archive.ArchiveReader;
import io.redisops.backup.archive.Segment;
import io.redisops.error.RedisOpsException;
import io.redisops.text.Hex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only archiver: attaches to a real redis-server as a replica ({@code PSYNC ? -1}, no {@code
 * capa eof}, so the RDB comes length-framed), throws the RDB away and keeps the replication stream
 * that follows as segments per the {@link Segment} contract: the exact stream bytes, {@code
 * #TS:<unix seconds>} lines between commands whenever the receive second changes, offsets counting
 * stream bytes only, a segment sealed every {@code every} and at {@link #close()}. It acknowledges
 * ({@code REPLCONF ACK}) what it holds, so {@code WAIT 1} tells a test the capture has a write. Its
 * {@link #reader()} serves the segments in memory and checks each one's SHA-256 at its end.
 */
final class StreamCapture implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String replid;
  private final String dataset;
  private final Duration every;
  private final Clock clock = Clock.systemUTC();
  private final Thread thread;
  private final List<Segment> segments = new ArrayList<>();
  private final Map<String, byte[]> contents = new ConcurrentHashMap<>();
  private volatile boolean stop;
  private volatile Exception failure;

  // state of the reading thread
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private ByteArrayOutputStream content = new ByteArrayOutputStream();
  private long offset;
  private long segmentStart;
  private int db = -1;
  private int segmentDb = -1;
  private long lastSecond = -1;
  private Instant firstReceived;
  private Instant lastReceived;
  private Instant lastSeal;
  private int seq;

  private StreamCapture(String host, int port, String dataset, Duration every) throws IOException {
    this.dataset = dataset;
    this.every = every;
    socket = new Socket(host, port);
    in = new java.io.BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    send("REPLCONF", "listening-port", "0");
    expectLine("+OK");
    send("PSYNC", "?", "-1");
    String full = line();
    while (full.isEmpty()) {
      full = line(); // newlines the master sends while it prepares the RDB
    }
    String[] parts = full.split(" ");
    if (!parts[0].equals("+FULLRESYNC")) {
      throw new IOException("unexpected answer to PSYNC: " + full);
    }
    replid = parts[1];
    offset = Long.parseLong(parts[2]);
    segmentStart = offset;
    String bulk = line();
    while (bulk.isEmpty()) {
      bulk = line();
    }
    if (!bulk.startsWith("$") || bulk.startsWith("$EOF:")) {
      throw new IOException("unexpected RDB framing: " + bulk);
    }
    in.skipNBytes(Long.parseLong(bulk.substring(1)));
    lastSeal = clock.instant();
    socket.setSoTimeout(50);
    thread = new Thread(this::loop, "stream-capture");
    thread.setDaemon(true);
    thread.start();
  }

  static StreamCapture start(String host, int port, String dataset) throws IOException {
    return new StreamCapture(host, port, dataset, Duration.ofMillis(300));
  }

  String replid() {
    return replid;
  }

  private void send(String... args) throws IOException {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return s.toString().strip();
      }
      s.append((char) c);
    }
    throw new IOException("connection closed");
  }

  private void expectLine(String want) throws IOException {
    String got = line();
    if (!got.equals(want)) {
      throw new IOException("expected " + want + ", got " + got);
    }
  }

  private void loop() {
    byte[] buf = new byte[1 << 16];
    try {
      while (!stop) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          n = 0;
        }
        if (n < 0) {
          break;
        }
        if (n > 0) {
          pending.write(buf, 0, n);
          takeCommands(clock.instant());
        }
        synchronized (this) {
          if (Duration.between(lastSeal, clock.instant()).compareTo(every) >= 0
              && content.size() > 0) {
            seal(clock.instant());
          }
        }
        send("REPLCONF", "ACK", Long.toString(offset));
      }
    } catch (IOException | RuntimeException e) {
      if (!stop) {
        failure = e;
      }
    }
  }

  /** Moves every complete command of {@code pending} into the current segment. */
  private synchronized void takeCommands(Instant now) {
    byte[] p = pending.toByteArray();
    int pos = 0;
    while (true) {
      int end = commandEnd(p, pos);
      if (end < 0) {
        break;
      }
      long second = now.getEpochSecond();
      if (second != lastSecond) {
        content.writeBytes(("#TS:" + second + "\r\n").getBytes(StandardCharsets.US_ASCII));
        lastSecond = second;
      }
      content.write(p, pos, end - pos);
      String[] args = args(p, pos);
      if (args.length == 2 && args[0].equalsIgnoreCase("SELECT")) {
        db = Integer.parseInt(args[1]);
      }
      offset += end - pos;
      firstReceived = firstReceived == null ? now : firstReceived;
      lastReceived = now;
      pos = end;
    }
    pending.reset();
    pending.write(p, pos, p.length - pos);
  }

  /** Where the RESP array at {@code pos} ends, or -1 when it is not complete yet. */
  private static int commandEnd(byte[] p, int pos) {
    int[] lineEnd = {pos};
    Long n = number(p, pos, '*', lineEnd);
    if (n == null) {
      return -1;
    }
    int at = lineEnd[0];
    for (long i = 0; i < n; i++) {
      Long len = number(p, at, '$', lineEnd);
      if (len == null) {
        return -1;
      }
      at = lineEnd[0] + (int) (long) len + 2;
      if (at > p.length) {
        return -1;
      }
    }
    return at;
  }

  private static Long number(byte[] p, int pos, char prefix, int[] lineEnd) {
    if (pos >= p.length) {
      return null;
    }
    if (p[pos] != prefix) {
      throw new IllegalStateException("unexpected byte in the stream: " + (char) p[pos]);
    }
    for (int i = pos + 1; i + 1 < p.length; i++) {
      if (p[i] == '\r' && p[i + 1] == '\n') {
        lineEnd[0] = i + 2;
        return Long.parseLong(new String(p, pos + 1, i - pos - 1, StandardCharsets.US_ASCII));
      }
    }
    return null;
  }

  private static String[] args(byte[] p, int pos) {
    int[] lineEnd = {pos};
    long n = number(p, pos, '*', lineEnd);
    String[] out = new String[(int) Math.min(n, 2)];
    int at = lineEnd[0];
    for (int i = 0; i < out.length; i++) {
      long len = number(p, at, '$', lineEnd);
      out[i] = new String(p, lineEnd[0], (int) len, StandardCharsets.UTF_8);
      at = lineEnd[0] + (int) len + 2;
    }
    return out;
  }

  private void seal(Instant now) {
    byte[] c = content.toByteArray();
    String id = String.format("%s-%06d", now.toString().replace(":", ""), ++seq);
    // bytes of a torn command stay in pending: the segment then holds what came before them
    Instant sealedAt = pending.size() == 0 ? now : lastReceived;
    segments.add(
        new Segment(
            dataset,
            id,
            "t-" + replid.substring(0, 8),
            replid,
            segmentStart,
            offset,
            segmentDb,
            firstReceived == null ? now : firstReceived,
            lastReceived == null ? now : lastReceived,
            sealedAt,
            c.length,
            sha(c)));
    contents.put(id, c);
    content = new ByteArrayOutputStream();
    segmentStart = offset;
    segmentDb = db;
    firstReceived = null;
    lastSeal = now;
    // the next segment starts with its own annotation
    lastSecond = -1;
  }

  @Override
  public void close() throws IOException {
    finish();
  }

  /** Stops reading and seals what it holds (an empty last segment too: it says up to when). */
  void finish() throws IOException {
    if (stop) {
      return;
    }
    stop = true;
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket.close();
    synchronized (this) {
      seal(clock.instant());
    }
    if (failure != null) {
      throw new IOException("the capture failed: " + failure, failure);
    }
  }

  synchronized List<Segment> segments() {
    return List.copyOf(segments);
  }

  /** The captured archive, read as restore reads one. */
  ArchiveReader reader() {
    return new ArchiveReader() {
      @Override
      public List<Segment> segments(String ds) {
        return StreamCapture.this.segments().stream().filter(s -> s.dataset().equals(ds)).toList();
      }

      @Override
      public InputStream open(Segment segment) {
        byte[] c = contents.get(segment.id());
        MessageDigest d = Hex.sha256();
        return new FilterInputStream(new DigestInputStream(new ByteArrayInputStream(c), d)) {
          private boolean checked;

          @Override
          public int read() throws IOException {
            int b = super.read();
            return b < 0 ? end(b) : b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            return n < 0 ? end(n) : n;
          }

          private int end(int n) {
            if (!checked) {
              checked = true;
              if (!Hex.of(d.digest()).equals(segment.sha256Raw())) {
                throw RedisOpsException.integrity("segment " + segment.id() + ": SHA-256 mismatch");
              }
            }
            return n;
          }
        };
      }
    };
  }

  /** For a test that damages a segment. */
  void corrupt(String id) {
    byte[] c = contents.get(id);
    byte[] d = Arrays.copyOf(c, c.length);
    d[d.length / 2] ^= 1;
    contents.put(id, d);
  }

  private static String sha(byte[] b) {
    MessageDigest d = Hex.sha256();
    return Hex.of(d.digest(b));
  }
}

package io.redisops.recovery.pitr;

import io.redisops.backup.archive.Segment;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.text.Hex;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Segments built from fixed commands, an in-memory archive, and manifests with stream positions.
 */
final class PitrFixtures {
  static final String REPLID = "a".repeat(40);
  static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");

  private PitrFixtures() {}

  static byte[] cmd(String... args) {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ts(long second) {
    return ("#TS:" + second + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  static Manifest base(String id, Instant at, long offset, int db) {
    return TestManifests.builder("ds", id).snapshotTime(at).tiers(Tier.HOURLY).stream(
            new Manifest.StreamPosition(REPLID, offset, db))
        .build();
  }

  /** Builds segments: stream bytes count in offsets, annotations do not. */
  static final class Builder {
    private final String timeline;
    private final String replid;
    private long offset;
    private final List<Segment> segments = new ArrayList<>();
    final Map<String, byte[]> contents = new LinkedHashMap<>();
    private ByteArrayOutputStream content = new ByteArrayOutputStream();
    private long start;
    private int startDb;
    private Instant first;
    private Instant last;

    Builder(String timeline, String replid, long offset) {
      this.timeline = timeline;
      this.replid = replid;
      this.offset = offset;
      this.start = offset;
    }

    Builder ts(long second) {
      content.writeBytes(PitrFixtures.ts(second));
      return this;
    }

    Builder cmd(Instant received, String... args) {
      byte[] c = PitrFixtures.cmd(args);
      content.writeBytes(c);
      offset += c.length;
      first = first == null ? received : first;
      last = received;
      return this;
    }

    /** Raw stream bytes (a command torn across segments). */
    Builder raw(byte[] bytes, Instant received) {
      content.writeBytes(bytes);
      offset += bytes.length;
      first = first == null ? received : first;
      last = received;
      return this;
    }

    long offset() {
      return offset;
    }

    Builder seal(String id, Instant sealedAt) {
      byte[] c = content.toByteArray();
      segments.add(
          new Segment(
              "ds", id, timeline, replid, start, offset, startDb, first, last, sealedAt, c.length,
              sha(c)));
      contents.put(id, c);
      content = new ByteArrayOutputStream();
      start = offset;
      startDb = -1;
      first = null;
      return this;
    }

    Builder startDb(int db) {
      this.startDb = db;
      return this;
    }

    List<Segment> segments() {
      return List.copyOf(segments);
    }

    InputStream open(Segment s) {
      return new ByteArrayInputStream(contents.get(s.id()));
    }
  }

  static String sha(byte[] b) {
    try {
      return Hex.of(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

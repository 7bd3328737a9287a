package io.redisops.backup.rdb;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Valkey's whole-file compression ({@code rdbcompression lz4}, Valkey 9.2): an 8-byte {@code VKCS}
 * envelope, then one standard LZ4 frame holding the RDB. Layout from valkey
 * src/compression_stream.h/.c and compression_lz4.c:
 *
 * <pre>
 *   [0..3] "VKCS"   [4] envelope version (1)   [5] codec id (1 = LZ4 frame)
 *   [6] flags (bit 0: the codec's checksums are on; other bits reserved, must be 0)   [7] stream kind (0 = RDB)
 * </pre>
 *
 * The LZ4 frame uses independent 64 KiB blocks, block checksums when flag bit 0 is set, no content
 * checksum; it is the standard frame format, so commons-compress' {@link
 * FramedLZ4CompressorInputStream} decodes it (and checks the block and content checksums the frame
 * declares). Memory stays bounded by the frame's block size.
 *
 * <p>The compressed bytes are read forward once, never skipped or reset; the stream must end with
 * the frame.
 */
final class CompressedRdb {

  private static final int ENVELOPE_SIZE = 8;
  private static final int VERSION = 1;
  private static final int CODEC_LZ4 = 1;
  private static final int FLAG_CODEC_CHECKSUM = 1;
  private static final int KIND_RDB = 0;

  private final Counting raw;
  private final InputStream decompressed;
  private final String codec;

  private CompressedRdb(Counting raw, InputStream decompressed, String codec) {
    this.raw = raw;
    this.decompressed = decompressed;
    this.codec = codec;
  }

  static boolean isEnvelope(byte[] first4) {
    return first4[0] == 'V' && first4[1] == 'K' && first4[2] == 'C' && first4[3] == 'S';
  }

  /** Reads the rest of the envelope after its 4 magic bytes and opens the decompressing stream. */
  static CompressedRdb open(byte[] magic, InputStream in) throws IOException {
    Counting raw = new Counting(in);
    raw.count = magic.length;
    byte[] env = new byte[ENVELOPE_SIZE];
    System.arraycopy(magic, 0, env, 0, 4);
    int n = RdbAnalyzer.readUpTo(raw, env, 4, 4);
    if (n < 4) {
      throw new RdbFormatException(
          "RDB truncated: the stream ended at byte "
              + raw.count
              + " inside the VKCS compression envelope");
    }
    int version = env[4] & 0xff;
    int codecId = env[5] & 0xff;
    int flags = env[6] & 0xff;
    int kind = env[7] & 0xff;
    if (version != VERSION) {
      throw new RdbFormatException(
          "unsupported VKCS compression envelope version "
              + version
              + " (this tool reads version "
              + VERSION
              + "); nothing can be verified without decompressing");
    }
    if (codecId != CODEC_LZ4) {
      throw new RdbFormatException(
          "unsupported codec "
              + codecId
              + " in the VKCS compression envelope (this"
              + " tool reads 1 = LZ4); nothing can be verified without decompressing");
    }
    if ((flags & ~FLAG_CODEC_CHECKSUM) != 0) {
      throw new RdbFormatException(
          String.format("VKCS compression envelope has reserved flag bits set (0x%02x)", flags));
    }
    if (kind != KIND_RDB) {
      throw new RdbFormatException(
          "VKCS compression envelope holds stream kind " + kind + ", not an RDB (0)");
    }
    InputStream lz4;
    try {
      lz4 = new FramedLZ4CompressorInputStream(raw, false);
    } catch (IOException e) {
      throw corrupt(raw, e);
    }
    return new CompressedRdb(raw, new Translating(lz4, raw), "lz4");
  }

  InputStream decompressed() {
    return decompressed;
  }

  String codec() {
    return codec;
  }

  long compressedBytes() {
    return raw.count;
  }

  /** After the inner RDB ended: the frame must be complete and the stream must end with it. */
  void finish() throws IOException {
    if (decompressed.read() >= 0) {
      throw new RdbFormatException("unexpected data after the end of the RDB inside the LZ4 frame");
    }
    byte[] rest = new byte[8192];
    long extra = 0;
    for (int r; (r = raw.read(rest)) >= 0; ) {
      extra += r;
    }
    if (extra > 0) {
      throw new RdbFormatException("unexpected " + extra + " bytes after the end of the LZ4 frame");
    }
  }

  private static RdbFormatException corrupt(Counting raw, IOException e) {
    return new RdbFormatException(
        "corrupt or truncated LZ4 frame in the VKCS-compressed RDB (near compressed"
            + " byte "
            + raw.count
            + "): "
            + e.getMessage());
  }

  /** Counts the compressed bytes read. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Never skip on the caller's stream (it may be teed): read and drop instead.
      byte[] tmp = new byte[(int) Math.min(n, 8192)];
      long done = 0;
      while (done < n) {
        int r = read(tmp, 0, (int) Math.min(tmp.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /**
   * Reports decoder failures as {@link RdbFormatException}s (a damaged frame is a damaged file).
   */
  private static final class Translating extends FilterInputStream {
    private final Counting raw;

    Translating(InputStream in, Counting raw) {
      super(in);
      this.raw = raw;
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (RdbFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw corrupt(raw, e instanceof IOException io ? io : new IOException(e.toString()));
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (RdbFormatException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw corrupt(raw, e instanceof IOException io ? io : new IOException(e.toString()));
      }
    }
  }
}

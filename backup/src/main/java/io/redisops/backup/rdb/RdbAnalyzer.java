package io.redisops.backup.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies an RDB snapshot in one forward pass: header, structure, key counts per database and the
 * CRC-64 trailer.
 *
 * <p>Formats read in full ({@link Verification#FULL}): magic {@code REDIS} with versions 1 to 15
 * (Redis up to 8.x; the value types of RDB 14-15 that Redis added after 8.6, 27 and above, are not
 * followed) and magic {@code VALKEY} with versions 80 and 81 (Valkey 9.x), plain or inside Valkey's
 * {@code VKCS} whole-file compression envelope (LZ4 frame). Compact encodings (listpacks, ziplists,
 * intsets, zipmaps) are validated as the servers' deep integrity checks do, see {@link
 * RdbEncodings}. A version newer than those, or a value type or opcode this reader cannot follow,
 * gives {@link Verification#CHECKSUM} when the CRC-64 vouches for the file.
 *
 * <p>Contract of {@link #analyze(InputStream)}:
 *
 * <ul>
 *   <li>reads the stream to its end, every byte exactly once, through its own buffer of {@link
 *       #DEFAULT_BUFFER_SIZE} bytes; it never skips, marks or resets the stream, so a caller may
 *       tee the bytes into a compressor and a digest. Memory does not grow with the file size:
 *       values are skipped, not materialised (only AUX fields are kept). The stream is not closed.
 *   <li>a checksum mismatch is not an exception: it is reported by {@link RdbAnalysis#crcOk()} so
 *       the caller chooses what to do;
 *   <li>a value that cannot be skipped (module type 6, or a type this reader does not know) stops
 *       the structural parse: key counts become unavailable, the rest of the stream is still read
 *       and the trailer is taken as its last 8 bytes, so the checksum still vouches for the file.
 *       Without a checksum (RDB &lt; 5 or {@code rdbchecksum no}) nothing can vouch for the rest,
 *       and an {@link RdbFormatException} is thrown;
 *   <li>the stream must end right after the trailer (a replication transfer must have its {@code
 *       $EOF:} framing stripped by the caller).
 * </ul>
 *
 * Every other problem (not an RDB, unsupported version, truncation, corrupt encoding, bytes after
 * the trailer) raises an {@link RdbFormatException} whose message names the byte offset.
 */
public final class RdbAnalyzer {

  /** Large enough that the CRC and the stream work on big chunks. */
  public static final int DEFAULT_BUFFER_SIZE = 1 << 20;

  public static final int MIN_SUPPORTED_VERSION = 1;

  /** Newest {@code REDISnnnn} version whose layout is known. */
  public static final int MAX_SUPPORTED_VERSION = 15;

  /** Valkey's own versions ({@code VALKEYnnn}); 12-79 are Redis' ("foreign" to Valkey). */
  public static final int MIN_VALKEY_VERSION = 80;

  public static final int MAX_VALKEY_VERSION = 81;

  /** The trailer CRC exists from RDB version 5 on. */
  private static final int FIRST_VERSION_WITH_CRC = 5;

  /** Valkey 9.2 forkless save: an inline replication command (layout not followed). */
  @SuppressWarnings("unused") // names the opcode; the analyzer stops on it like on any unknown one
  private static final int OP_VALKEY_UPDATE = 0xF2;

  /**
   * Redis 8.6: key metadata before a key's type; Valkey 9: slot import state (layout not followed).
   */
  private static final int OP_KEY_META = 0xF3;

  /** Redis 7.4+ cluster: slot id, keys and expires in the slot. Valkey reads it the same way. */
  private static final int OP_SLOT_INFO = 0xF4;

  private static final int OP_FUNCTION2 = 0xF5;
  private static final int OP_FUNCTION_PRE_GA = 0xF6;
  private static final int OP_MODULE_AUX = 0xF7;
  private static final int OP_IDLE = 0xF8;
  private static final int OP_FREQ = 0xF9;
  private static final int OP_AUX = 0xFA;
  private static final int OP_RESIZEDB = 0xFB;
  private static final int OP_EXPIRETIME_MS = 0xFC;
  private static final int OP_EXPIRETIME = 0xFD;
  private static final int OP_SELECTDB = 0xFE;
  private static final int OP_EOF = 0xFF;

  private static final int MODULE_OPCODE_UINT = 2;

  private final RdbByteSource src;
  private final RdbPrimitives prim;
  private final RdbValueSkipper values;

  private final Map<String, String> aux = new LinkedHashMap<>();

  /** db -> {keys, expires}. */
  private final Map<Integer, long[]> counters = new TreeMap<>();

  /** Value type codes of the keys read. */
  private final BitSet types = new BitSet();

  /** An EXPIRETIME(_MS) opcode was read; it belongs to the next key. */
  private boolean expirePending;

  // Where the parser is, for truncation messages (read only when an error is raised).
  private String phase = "the RDB header";
  private int db;
  private long keyNumber;
  private int keyType;

  private RdbAnalyzer(InputStream in, int bufferSize) {
    this.src = new RdbByteSource(in, bufferSize, this::where);
    this.prim = new RdbPrimitives(src);
    this.values = new RdbValueSkipper(src, prim, this::where);
  }

  /**
   * Analyzes a whole RDB stream; see the class comment for the contract.
   *
   * @param in the RDB bytes, from the magic {@code REDIS} to the last trailer byte; read to its
   *     end, not closed
   * @return what was found, including whether the checksum matches
   * @throws RdbFormatException if the stream is not a readable RDB of version 1 to 11
   * @throws IOException if reading {@code in} fails
   */
  public static RdbAnalysis analyze(InputStream in) throws IOException {
    return analyze(in, DEFAULT_BUFFER_SIZE);
  }

  /**
   * Same as {@link #analyze(InputStream)} with a chosen buffer size (tests use tiny ones to cross
   * boundaries).
   */
  static RdbAnalysis analyze(InputStream in, int bufferSize) throws IOException {
    // Valkey 9.2 can wrap the whole file in a compression envelope: look at the first 4 bytes
    // without
    // consuming anything twice (they are replayed in front of the stream when it is a plain RDB).
    byte[] head = new byte[4];
    int n = readUpTo(in, head, 0, 4);
    if (n == 4 && CompressedRdb.isEnvelope(head)) {
      CompressedRdb envelope = CompressedRdb.open(head, in);
      RdbAnalysis inner = new RdbAnalyzer(envelope.decompressed(), bufferSize).run();
      envelope.finish();
      return inner.withEnvelope(envelope.codec(), envelope.compressedBytes());
    }
    // SequenceInputStream closes each stream it finishes: shield the caller's, which must stay
    // open.
    InputStream open =
        new java.io.FilterInputStream(in) {
          @Override
          public void close() {}
        };
    InputStream whole = new SequenceInputStream(new ByteArrayInputStream(head, 0, n), open);
    return new RdbAnalyzer(whole, bufferSize).run();
  }

  static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(b, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return n;
  }

  private String engine = "redis";

  /** Why the file is not FULL even if it parses (a version newer than known), or null. */
  private String newerNote;

  private RdbAnalysis run() throws IOException {
    int version = readHeader();
    values.dialect(
        engine.equals("valkey"),
        newerNote != null
            ? (engine.equals("valkey") ? MAX_VALKEY_VERSION : MAX_SUPPORTED_VERSION)
            : version);
    long stopOffset = -1;
    int stopType = -1;
    long opOffset = src.position();
    phase = "an opcode";
    try {
      while (true) {
        opOffset = src.position();
        int type = src.readU8();
        if (type == OP_EOF) {
          break;
        }
        if (isKnownOpcode(type)) {
          readOpcode(type);
        } else if (values.canSkip(type)) {
          readKey(type);
        } else {
          stopOffset = opOffset;
          stopType = type;
          break;
        }
      }
    } catch (RdbFormatException e) {
      if (newerNote == null) {
        throw e;
      }
      // A version newer than known: its layout may differ, so a parse error is not a verdict on the
      // file.
      return finishWithoutStructure(
          version,
          opOffset + 1,
          newerNote
              + "; it did not parse as version "
              + (engine.equals("valkey") ? MAX_VALKEY_VERSION : MAX_SUPPORTED_VERSION)
              + " ("
              + e.getMessage()
              + ")");
    }
    if (stopType >= 0) {
      String why =
          String.format(
              stopType == RdbValueSkipper.MODULE
                  ? "cannot skip the module (pre-GA) value type 0x%02x at byte %d"
                  : "unknown RDB opcode/type 0x%02x at byte %d",
              stopType,
              stopOffset);
      if (newerNote != null) {
        why = newerNote + "; " + why;
      }
      return finishWithoutStructure(version, stopOffset + 1, why);
    }
    return finishAfterEof(version);
  }

  private boolean isKnownOpcode(int type) {
    if (type >= OP_FUNCTION2) {
      return true;
    }
    // SLOT_INFO: Redis 7.4+ (RDB 12), and Valkey reads it. KEY_META: Redis 8.6 (RDB 13) only; in
    // Valkey the same
    // number is SLOT_IMPORT, whose layout is not followed here.
    boolean valkey = engine.equals("valkey");
    int v = newerNote != null ? Integer.MAX_VALUE : rdbVersionForOpcodes;
    return (type == OP_SLOT_INFO && (valkey || v >= 12))
        || (type == OP_KEY_META && !valkey && v >= 13);
  }

  private int rdbVersionForOpcodes;

  private int readHeader() throws IOException {
    byte[] magic = new byte[9];
    int n = 0;
    try {
      for (; n < magic.length; n++) {
        magic[n] = (byte) src.readU8();
      }
    } catch (RdbFormatException truncated) {
      if (!startsWith(magic, n, "REDIS") && !startsWith(magic, n, "VALKEY")) {
        throw notRdb(magic, n);
      }
      throw truncated;
    }
    int version;
    if (startsWith(magic, 9, "VALKEY")) {
      engine = "valkey";
      version = digits(magic, 6, 3, "VALKEY");
      if (version < MIN_VALKEY_VERSION) {
        throw new RdbFormatException(
            "unsupported RDB version "
                + version
                + " with magic VALKEY (Valkey writes"
                + " versions from "
                + MIN_VALKEY_VERSION
                + " on under that magic)");
      }
      if (version > MAX_VALKEY_VERSION) {
        newerNote =
            "Valkey RDB version "
                + version
                + " is newer than the newest known ("
                + MAX_VALKEY_VERSION
                + ")";
      }
    } else if (startsWith(magic, 5, "REDIS")) {
      version = digits(magic, 5, 4, "REDIS");
      if (version < MIN_SUPPORTED_VERSION) {
        throw new RdbFormatException(
            "unsupported RDB version "
                + version
                + " (this tool reads versions "
                + MIN_SUPPORTED_VERSION
                + " to "
                + MAX_SUPPORTED_VERSION
                + ")");
      }
      if (version > MAX_SUPPORTED_VERSION) {
        newerNote =
            "RDB version "
                + version
                + " is newer than the newest known ("
                + MAX_SUPPORTED_VERSION
                + ")";
      }
    } else {
      throw notRdb(magic, n);
    }
    rdbVersionForOpcodes = version;
    return version;
  }

  private static int digits(byte[] magic, int off, int len, String prefix)
      throws RdbFormatException {
    for (int i = off; i < off + len; i++) {
      if (magic[i] < '0' || magic[i] > '9') {
        throw new RdbFormatException(
            "not an RDB file: the version after '"
                + prefix
                + "' is '"
                + printable(magic, off, len)
                + "' instead of "
                + len
                + " digits");
      }
    }
    return Integer.parseInt(new String(magic, off, len, StandardCharsets.ISO_8859_1));
  }

  private void readOpcode(int op) throws IOException {
    switch (op) {
      case OP_SELECTDB -> {
        phase = "a SELECTDB opcode";
        long n = prim.readLength();
        if (n < 0 || n > Integer.MAX_VALUE) {
          throw new RdbFormatException(
              "corrupt RDB: database number " + n + " before byte " + src.position());
        }
        db = (int) n;
        countersOf(db);
      }
      case OP_EXPIRETIME_MS, OP_EXPIRETIME -> {
        // The expire belongs to the key that follows: counted there.
        phase = "an expire time";
        src.skip(op == OP_EXPIRETIME_MS ? 8 : 4);
        expirePending = true;
      }
      case OP_RESIZEDB -> {
        phase = "a RESIZEDB opcode";
        prim.readLength();
        prim.readLength();
      }
      case OP_AUX -> {
        phase = "an AUX field";
        String key = prim.readString();
        aux.put(key, prim.readString());
      }
      case OP_FREQ -> {
        phase = "an LFU frequency";
        src.skip(1);
      }
      case OP_IDLE -> {
        phase = "an LRU idle time";
        prim.readLength();
      }
      case OP_MODULE_AUX -> readModuleAux();
      case OP_FUNCTION_PRE_GA -> {
        // Redis 7.0-rc1/rc2 layout: name, engine, has-description flag, [description], code.
        phase = "a function library (pre-GA format)";
        prim.skipString();
        prim.skipString();
        if (prim.readLength() != 0) { // has a description
          prim.skipString();
        }
        prim.skipString();
      }
      case OP_FUNCTION2 -> {
        phase = "a function library";
        prim.skipString();
      }
      case OP_SLOT_INFO -> {
        phase = "a SLOT_INFO opcode";
        prim.readLength(); // slot id
        prim.readLength(); // keys in the slot
        prim.readLength(); // expires in the slot
      }
      case OP_KEY_META -> {
        // Redis 8.6: module key metadata for the key whose type follows. Each class: a 4-byte class
        // spec,
        // then module-opcode-annotated data up to the module EOF opcode (keymeta.c
        // rdbLoadKeyMetadata).
        phase = "key metadata";
        for (long classes = prim.readCount(); classes > 0; classes--) {
          src.skip(4);
          values.skipModuleOpcodes();
        }
      }
      default -> throw new IllegalStateException("opcode " + op);
    }
    phase = "an opcode";
  }

  private void readModuleAux() throws IOException {
    phase = "a module AUX field";
    long start = src.position();
    prim.readLength(); // module id
    long whenOpcode = prim.readLength();
    if (whenOpcode != MODULE_OPCODE_UINT) {
      throw new RdbFormatException(
          "corrupt RDB: module AUX field at byte "
              + start
              + " has 'when' opcode "
              + whenOpcode
              + " instead of "
              + MODULE_OPCODE_UINT);
    }
    prim.readLength(); // when (before or after the keyspace)
    values.skipModuleOpcodes();
  }

  private void readKey(int type) throws IOException {
    keyType = type;
    types.set(type);
    phase = null; // where() describes the key
    prim.skipString(); // the key name
    values.skip(type);
    long[] c = countersOf(db);
    c[0]++;
    if (expirePending) {
      c[1]++;
      expirePending = false;
    }
    keyNumber++;
    phase = "an opcode";
  }

  private List<Integer> typesSeen() {
    return types.stream().boxed().toList();
  }

  private long[] countersOf(int dbNumber) {
    return counters.computeIfAbsent(dbNumber, k -> new long[2]);
  }

  /**
   * The structure ended with the EOF opcode: the trailer follows it (RDB 5+), then the stream must
   * end.
   */
  private RdbAnalysis finishAfterEof(int version) throws IOException {
    long computed = src.crcOfConsumed();
    long stored = 0;
    boolean hasTrailer = engine.equals("valkey") || version >= FIRST_VERSION_WITH_CRC;
    if (hasTrailer) {
      phase = "the 8-byte checksum trailer";
      stored = src.readLongLE();
    }
    if (!src.atEnd()) {
      long end = src.position();
      long extra = src.consumeAll();
      throw new RdbFormatException(
          "unexpected "
              + extra
              + " bytes after the end of the RDB (the EOF opcode"
              + (hasTrailer ? " and the checksum" : "")
              + " end at byte "
              + end
              + "); a replication transfer must have its framing stripped");
    }
    Map<Integer, Long> keys = new TreeMap<>();
    Map<Integer, Long> expires = new TreeMap<>();
    counters.forEach(
        (d, c) -> {
          keys.put(d, c[0]);
          expires.put(d, c[1]);
        });
    String note =
        newerNote != null
            ? newerNote
                + "; it parsed as version "
                + (engine.equals("valkey") ? MAX_VALKEY_VERSION : MAX_SUPPORTED_VERSION)
                + ", key counts may be"
                + " inexact"
            : values.unvalidated();
    if (note != null && stored == 0) {
      throw new RdbFormatException(
          note
              + ", and the file was saved without a checksum (rdbchecksum no) to"
              + " verify the rest");
    }
    return new RdbAnalysis(
        engine,
        version,
        keys,
        expires,
        true,
        aux,
        stored != 0,
        stored,
        computed,
        src.bytesRead(),
        note == null ? Verification.FULL : Verification.CHECKSUM,
        note,
        typesSeen(),
        null);
  }

  /**
   * The structure cannot be followed: read to the end and take the last 8 bytes as the trailer, so
   * that the CRC still tells whether the file is intact.
   */
  private RdbAnalysis finishWithoutStructure(int version, long trailerFrom, String why)
      throws IOException {
    if (!engine.equals("valkey") && version < FIRST_VERSION_WITH_CRC) {
      src.consumeAll();
      throw new RdbFormatException(
          why + ", and RDB version " + version + " has no checksum to verify the rest");
    }
    phase = "the 8-byte checksum trailer";
    src.consumeAll();
    if (src.bytesRead() - 8 < trailerFrom) { // the trailer must come after what was parsed
      throw src.truncated();
    }
    long[] crcAndTrailer = src.crcAndTrailerAtEnd();
    long computed = crcAndTrailer[0];
    long stored = crcAndTrailer[1];
    if (stored == 0) {
      throw new RdbFormatException(
          why
              + ", and the file was saved without a checksum (rdbchecksum no)"
              + " to verify the rest");
    }
    return new RdbAnalysis(
        engine,
        version,
        Map.of(),
        Map.of(),
        false,
        aux,
        true,
        stored,
        computed,
        src.bytesRead(),
        Verification.CHECKSUM,
        why,
        typesSeen(),
        null);
  }

  private String where() {
    if (phase != null) {
      return phase;
    }
    return "key #"
        + (keyNumber + 1)
        + " (type "
        + keyType
        + ", "
        + values.typeName(keyType)
        + ") in db "
        + db;
  }

  private static boolean startsWith(byte[] b, int n, String prefix) {
    for (int i = 0; i < Math.min(n, prefix.length()); i++) {
      if (b[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static RdbFormatException notRdb(byte[] b, int n) {
    return new RdbFormatException(
        "not an RDB file: it starts with '"
            + printable(b, 0, Math.min(n, 5))
            + "' instead of 'REDIS' or 'VALKEY'");
  }

  /** Renders bytes for a message: printable ASCII as is, everything else as \xNN. */
  private static String printable(byte[] b, int off, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = off; i < off + len; i++) {
      int c = b[i] & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }
}

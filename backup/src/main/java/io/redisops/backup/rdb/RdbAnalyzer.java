package io.redisops.backup.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies an RDB snapshot in one forward pass: header, structure (RDB versions 1 to 11), key counts per
 * database and the CRC-64 trailer.
 *
 * <p>Contract of {@link #analyze(InputStream)}:
 * <ul>
 *   <li>reads the stream to its end, every byte exactly once, through its own buffer of
 *       {@link #DEFAULT_BUFFER_SIZE} bytes; it never skips, marks or resets the stream, so a caller may tee the
 *       bytes into a compressor and a digest. Memory does not grow with the file size: values are skipped, not
 *       materialised (only AUX fields are kept). The stream is not closed.</li>
 *   <li>a checksum mismatch is not an exception: it is reported by {@link RdbAnalysis#crcOk()} so the caller
 *       chooses what to do;</li>
 *   <li>a value that cannot be skipped (module type 6, or a type this reader does not know) stops the
 *       structural parse: key counts become unavailable, the rest of the stream is still read and the trailer is
 *       taken as its last 8 bytes, so the checksum still vouches for the file. Without a checksum (RDB &lt; 5 or
 *       {@code rdbchecksum no}) nothing can vouch for the rest, and an {@link RdbFormatException} is thrown;</li>
 *   <li>the stream must end right after the trailer (a replication transfer must have its {@code $EOF:} framing
 *       stripped by the caller).</li>
 * </ul>
 * Every other problem (not an RDB, unsupported version, truncation, corrupt encoding, bytes after the trailer)
 * raises an {@link RdbFormatException} whose message names the byte offset.
 */
public final class RdbAnalyzer {

    /** Large enough that the CRC and the stream work on big chunks. */
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    public static final int MIN_SUPPORTED_VERSION = 1;
    public static final int MAX_SUPPORTED_VERSION = 11;
    /** The trailer CRC exists from RDB version 5 on. */
    private static final int FIRST_VERSION_WITH_CRC = 5;

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
        this.values = new RdbValueSkipper(src, prim);
    }

    /**
     * Analyzes a whole RDB stream; see the class comment for the contract.
     *
     * @param in the RDB bytes, from the magic {@code REDIS} to the last trailer byte; read to its end, not closed
     * @return what was found, including whether the checksum matches
     * @throws RdbFormatException if the stream is not a readable RDB of version 1 to 11
     * @throws IOException        if reading {@code in} fails
     */
    public static RdbAnalysis analyze(InputStream in) throws IOException {
        return analyze(in, DEFAULT_BUFFER_SIZE);
    }

    /** Same as {@link #analyze(InputStream)} with a chosen buffer size (tests use tiny ones to cross boundaries). */
    static RdbAnalysis analyze(InputStream in, int bufferSize) throws IOException {
        return new RdbAnalyzer(in, bufferSize).run();
    }

    private RdbAnalysis run() throws IOException {
        int version = readHeader();
        long stopOffset = -1;
        int stopType = -1;
        phase = "an opcode";
        while (true) {
            long opOffset = src.position();
            int type = src.readU8();
            if (type == OP_EOF) {
                break;
            }
            if (type >= OP_FUNCTION2) {
                readOpcode(type);
            } else if (RdbValueSkipper.canSkip(type)) {
                readKey(type);
            } else {
                stopOffset = opOffset;
                stopType = type;
                break;
            }
        }
        return stopType < 0 ? finishAfterEof(version) : finishWithoutStructure(version, stopType, stopOffset);
    }

    private int readHeader() throws IOException {
        byte[] magic = new byte[9];
        int n = 0;
        try {
            for (; n < magic.length; n++) {
                magic[n] = (byte) src.readU8();
            }
        } catch (RdbFormatException truncated) {
            if (!startsLikeRedis(magic, n)) {
                throw notRdb(magic, n);
            }
            throw truncated;
        }
        if (!startsLikeRedis(magic, 5)) {
            throw notRdb(magic, n);
        }
        String digits = new String(magic, 5, 4, StandardCharsets.ISO_8859_1);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new RdbFormatException("not an RDB file: the version after 'REDIS' is '" + printable(magic, 5, 4)
                    + "' instead of 4 digits");
        }
        int version = Integer.parseInt(digits);
        if (version < MIN_SUPPORTED_VERSION || version > MAX_SUPPORTED_VERSION) {
            throw new RdbFormatException("unsupported RDB version " + version + " (this tool reads versions "
                    + MIN_SUPPORTED_VERSION + " to " + MAX_SUPPORTED_VERSION + ")");
        }
        return version;
    }

    private void readOpcode(int op) throws IOException {
        switch (op) {
            case OP_SELECTDB -> {
                phase = "a SELECTDB opcode";
                long n = prim.readLength();
                if (n < 0 || n > Integer.MAX_VALUE) {
                    throw new RdbFormatException("corrupt RDB: database number " + n + " before byte "
                            + src.position());
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
            throw new RdbFormatException("corrupt RDB: module AUX field at byte " + start
                    + " has 'when' opcode " + whenOpcode + " instead of " + MODULE_OPCODE_UINT);
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

    /** The structure ended with the EOF opcode: the trailer follows it (RDB 5+), then the stream must end. */
    private RdbAnalysis finishAfterEof(int version) throws IOException {
        long computed = src.crcOfConsumed();
        long stored = 0;
        if (version >= FIRST_VERSION_WITH_CRC) {
            phase = "the 8-byte checksum trailer";
            stored = src.readLongLE();
        }
        if (!src.atEnd()) {
            long end = src.position();
            long extra = src.consumeAll();
            throw new RdbFormatException("unexpected " + extra + " bytes after the end of the RDB (the EOF opcode"
                    + (version >= FIRST_VERSION_WITH_CRC ? " and the checksum" : "") + " end at byte " + end
                    + "); a replication transfer must have its framing stripped");
        }
        Map<Integer, Long> keys = new TreeMap<>();
        Map<Integer, Long> expires = new TreeMap<>();
        counters.forEach((d, c) -> {
            keys.put(d, c[0]);
            expires.put(d, c[1]);
        });
        return new RdbAnalysis("redis", version, keys, expires, true, aux, stored != 0, stored, computed, src.bytesRead(),
                Verification.FULL, null, typesSeen());
    }

    /**
     * The structure cannot be followed past a value of {@code type}: read to the end and take the last 8 bytes as
     * the trailer, so that the CRC still tells whether the file is intact.
     */
    private RdbAnalysis finishWithoutStructure(int version, int type, long offset) throws IOException {
        String why = String.format(type == RdbValueSkipper.MODULE
                ? "cannot skip the module (pre-GA) value type 0x%02x at byte %d"
                : "unknown RDB opcode/type 0x%02x at byte %d", type, offset);
        if (version < FIRST_VERSION_WITH_CRC) {
            src.consumeAll();
            throw new RdbFormatException(why + ", and RDB version " + version + " has no checksum to verify the rest");
        }
        phase = "the 8-byte checksum trailer";
        src.consumeAllButLast(8);
        if (src.buffered() < 8) {
            throw src.truncated();
        }
        long computed = src.crcOfConsumed();
        long stored = src.readLongLE();
        if (stored == 0) {
            throw new RdbFormatException(why + ", and the file was saved without a checksum (rdbchecksum no)"
                    + " to verify the rest");
        }
        return new RdbAnalysis("redis", version, Map.of(), Map.of(), false, aux, true, stored, computed, src.bytesRead(),
                Verification.CHECKSUM, why, typesSeen());
    }

    private String where() {
        if (phase != null) {
            return phase;
        }
        return "key #" + (keyNumber + 1) + " (type " + keyType + ", " + RdbValueSkipper.typeName(keyType)
                + ") in db " + db;
    }

    private static boolean startsLikeRedis(byte[] b, int n) {
        byte[] redis = "REDIS".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(n, redis.length); i++) {
            if (b[i] != redis[i]) {
                return false;
            }
        }
        return true;
    }

    private static RdbFormatException notRdb(byte[] b, int n) {
        return new RdbFormatException("not an RDB file: it starts with '" + printable(b, 0, Math.min(n, 5))
                + "' instead of 'REDIS'");
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

package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A long-lived replica connection that continues a replication stream with {@code PSYNC}: what the
 * point-in-time archiver reads. After {@link #psync} the master either continues at the offset
 * asked for ({@code +CONTINUE}) and {@link #stream()} gives the command stream, or starts over
 * ({@code +FULLRESYNC}): {@link #rdb()} then gives the snapshot's bytes, and once they are read to
 * their end {@link #stream()} gives the commands that follow it.
 *
 * <p>Every command sent before {@code PSYNC} is in {@link #beforePsync}: how the archiver presents
 * itself to the master (and through the master's INFO, to Sentinel) is decided there alone.
 *
 * <p>{@link #sendAck} may be called from another thread than the one that reads. Messages never
 * contain the password.
 */
public final class ReplicationConnection implements Closeable {
  private static final int BUFFER = 64 * 1024;

  /** What the master answered to PSYNC. */
  public enum Outcome {
    /** {@code +CONTINUE}: the stream goes on at the offset asked for. */
    CONTINUE,
    /** {@code +FULLRESYNC}: a snapshot follows, then the stream from {@link PsyncReply#offset}. */
    FULL_RESYNC
  }

  /**
   * The master's answer to PSYNC.
   *
   * @param replid the replication id the stream goes on under (for {@code +CONTINUE} without an id,
   *     the one asked for)
   * @param offset {@code +FULLRESYNC}: the master's offset the snapshot corresponds to (the stream
   *     that follows starts after it); {@code +CONTINUE}: the offset asked for minus one (the last
   *     byte the archive holds)
   */
  public record PsyncReply(Outcome outcome, String replid, long offset) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String server;
  private final ReplicationHandshake handshake;
  private InputStream rdb;
  private EofFramedRdbInputStream eofFramed;
  private InputStream stream;

  private ReplicationConnection(Socket socket, InputStream in, OutputStream out, String server) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.server = server;
    this.handshake = new ReplicationHandshake(in, out, server);
  }

  /**
   * Connects (TLS when the endpoint says so, as {@link ReplicationRdbStream#open} does).
   *
   * @param readTimeout longest silence tolerated; the master sends a PING every {@code
   *     repl-ping-replica-period} (10 s by default) once the stream flows
   */
  public static ReplicationConnection open(
      RedisEndpoint ep, Duration connectTimeout, Duration readTimeout) {
    String server = ep.toString();
    Socket socket = ReplicationRdbStream.connect(ep, connectTimeout, readTimeout);
    try {
      InputStream in =
          new BufferedInputStream(
              new ReplicationRdbStream.TimeoutNamingInputStream(
                  socket.getInputStream(), server, readTimeout),
              BUFFER);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      return new ReplicationConnection(socket, in, out, server);
    } catch (IOException e) {
      ReplicationRdbStream.closeQuietly(socket);
      throw RedisOpsException.failed(
          "connection to Redis at " + server + " failed: " + ReplicationRdbStream.describe(e), e);
    }
  }

  /**
   * Everything the archiver sends before {@code PSYNC}: AUTH, {@code REPLCONF capa eof capa psync2}
   * (the diskless framing; {@code +CONTINUE <new id>} after a failover), and {@code REPLCONF
   * version} (Valkey chooses the RDB format of a full resynchronisation from it; Redis refuses it,
   * which is ignored). No {@code listening-port} is announced: the master then lists the archiver
   * with port 0 in {@code INFO replication}.
   */
  private void beforePsync(RedisEndpoint ep) throws IOException {
    handshake.authenticate(ep);
    handshake.expectOk("REPLCONF capa", "REPLCONF", "capa", "eof", "capa", "psync2");
    handshake.optional(
        "REPLCONF version", "REPLCONF", "version", ReplicationHandshake.ANNOUNCED_VALKEY_VERSION);
  }

  /**
   * Runs the handshake and asks to continue the stream.
   *
   * @param replid the replication id the archive follows, or {@code ?} for none
   * @param lastOffset the offset of the last byte the archive holds ({@code -1} with {@code ?}):
   *     PSYNC asks for the byte after it
   * @throws RedisOpsException FAILED when the master refuses (NOMASTERLINK, LOADING, an error) or
   *     breaks the protocol; USAGE for refused credentials or a missing permission
   */
  public PsyncReply psync(RedisEndpoint ep, String replid, long lastOffset) {
    try {
      beforePsync(ep);
      handshake.send("PSYNC", replid, Long.toString(lastOffset + 1));
      String line;
      int type;
      do {
        type = in.read();
        if (type == -1) {
          throw new EOFException("connection closed by the server after PSYNC");
        }
      } while (type == '\n');
      line = RdbBulkHeader.readLine(in, server);
      if (type == '-') {
        throw RedisErrorReplies.toException(server, "PSYNC", line);
      }
      String[] words = line.split(" ");
      if (type == '+' && words[0].equals("FULLRESYNC") && words.length == 3) {
        long offset = Long.parseLong(words[2]);
        return new PsyncReply(Outcome.FULL_RESYNC, words[1], offset);
      }
      if (type == '+' && words[0].equals("CONTINUE")) {
        stream = in;
        return new PsyncReply(Outcome.CONTINUE, words.length > 1 ? words[1] : replid, lastOffset);
      }
      throw RedisOpsException.failed(
          "Redis at "
              + server
              + " answered PSYNC with '"
              + (char) type
              + line.replaceAll("[^\\x20-\\x7e]", "?")
              + "'; is it a Redis server?",
          null);
    } catch (NumberFormatException e) {
      throw RedisOpsException.failed(
          "Redis at " + server + " sent a FULLRESYNC reply without a valid offset", e);
    } catch (SocketTimeoutException e) {
      throw RedisOpsException.failed(
          ReplicationRdbStream.describe(e) + " during the replication handshake", e);
    } catch (IOException e) {
      boolean droppedUs = e instanceof EOFException || e instanceof SocketException;
      String hint = droppedUs && !ep.tls() ? "; if the server only accepts TLS use rediss://" : "";
      throw RedisOpsException.failed(
          "replication handshake with Redis at "
              + server
              + " failed: "
              + ReplicationRdbStream.describe(e)
              + hint,
          e);
    }
  }

  /**
   * After {@code +FULLRESYNC}: waits for the snapshot's header and gives its bytes (exactly the
   * RDB, then -1).
   */
  public InputStream rdb() throws IOException {
    if (rdb == null) {
      RdbBulkHeader header = RdbBulkHeader.read(in, server);
      if (header.diskless()) {
        eofFramed = new EofFramedRdbInputStream(in, header.eofMark(), server);
        rdb = eofFramed;
      } else {
        rdb = new LengthFramedRdbInputStream(in, header.declaredLength(), server);
      }
    }
    return rdb;
  }

  /**
   * The command stream: after {@code +CONTINUE} at once, after {@code +FULLRESYNC} once {@link
   * #rdb()} was read to its end.
   */
  public InputStream stream() {
    if (stream == null) {
      if (rdb == null) {
        throw new IllegalStateException("the snapshot has not been read");
      }
      stream =
          eofFramed == null
              ? in
              : new SequenceInputStream(new ByteArrayInputStream(eofFramed.afterMark()), in);
    }
    return stream;
  }

  /** {@code REPLCONF ACK <offset>}: tells the master this replica holds the stream up to there. */
  public synchronized void sendAck(long offset) throws IOException {
    byte[] n = Long.toString(offset).getBytes(StandardCharsets.US_ASCII);
    String cmd =
        "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$"
            + n.length
            + "\r\n"
            + new String(n, StandardCharsets.US_ASCII)
            + "\r\n";
    out.write(cmd.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The server as shown in messages (no password). */
  public String server() {
    return server;
  }

  /** Closes the connection (a blocked read then fails). Idempotent. */
  @Override
  public void close() {
    ReplicationRdbStream.closeQuietly(socket);
  }
}

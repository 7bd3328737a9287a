package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSockets;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A point-in-time RDB snapshot fetched the way a replica (or {@code redis-cli --rdb}) gets it:
 * {@code REPLCONF capa eof}, {@code REPLCONF rdb-only 1}, {@code SYNC}, then the RDB payload as the
 * master streams it.
 *
 * <p>This speaks the protocol over a plain (or TLS) socket rather than through Lettuce: after
 * {@code SYNC} the master hands over a raw RDB payload outside RESP framing (keep-alive newlines,
 * then {@code $<length>} or {@code $EOF:<mark>} followed by binary data), which Lettuce's RESP
 * decoder cannot read.
 *
 * <p>Contract: {@link #open} returns once the bulk header has arrived, so {@link
 * #headerReceivedAt()} is when the server had its snapshot ready. {@link #rdb()} then yields
 * exactly the RDB bytes, starting with {@code REDIS}, and -1 after the last one; the diskless end
 * mark is stripped. Not thread-safe; read {@code rdb()} from one thread. Messages name the server
 * as {@link RedisEndpoint#toString()} does and never contain the password.
 */
public final class ReplicationRdbStream implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(ReplicationRdbStream.class);

  /**
   * The socket's read buffer during the handshake; the payload's large reads ({@link
   * EofFramedRdbInputStream#CHUNK}) go past it straight to the socket.
   */
  private static final int BUFFER = 64 * 1024;

  private final Closeable connection;
  private final RdbBulkHeader header;
  private final Instant headerReceivedAt;
  private final InputStream rdb;

  private ReplicationRdbStream(
      Closeable connection, RdbBulkHeader header, Instant headerReceivedAt, InputStream body) {
    this.connection = connection;
    this.header = header;
    this.headerReceivedAt = headerReceivedAt;
    this.rdb =
        new FilterInputStream(body) {
          @Override
          public void close() throws IOException {
            ReplicationRdbStream.this.close();
          }
        };
  }

  /** {@link #open(RedisEndpoint, Duration, Duration, Clock)} with the system clock. */
  public static ReplicationRdbStream open(
      RedisEndpoint ep, Duration connectTimeout, Duration readTimeout) {
    return open(ep, connectTimeout, readTimeout, Clock.systemUTC());
  }

  /**
   * Connects, authenticates, asks for a snapshot and waits for its header.
   *
   * @param ep the master (or replica) to fetch from; TLS when {@code ep.tls()}, trusting {@code
   *     ep.caFile()}, with host name verification when {@code ep.host()} is a name rather than an
   *     IP address
   * @param connectTimeout limit for the TCP connection
   * @param readTimeout longest silence tolerated while waiting for a reply or payload bytes; the
   *     master sends a newline every second while it prepares the snapshot, so this need not cover
   *     a slow BGSAVE
   * @param clock source of {@link #headerReceivedAt()}
   * @throws RedisOpsException FAILED when the server cannot be reached or breaks the protocol,
   *     USAGE when it refuses the credentials or the ACL user may not run SYNC/REPLCONF
   */
  public static ReplicationRdbStream open(
      RedisEndpoint ep, Duration connectTimeout, Duration readTimeout, Clock clock) {
    String server = ep.toString();
    Socket socket = connect(ep, connectTimeout, readTimeout);
    try {
      InputStream in =
          new BufferedInputStream(
              new TimeoutNamingInputStream(socket.getInputStream(), server, readTimeout), BUFFER);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      log.debug("requesting a snapshot from {} over the replication protocol", server);
      new ReplicationHandshake(in, out, server).run(ep);
      ReplicationRdbStream stream = fromReplicationStream(in, server, clock, socket);
      log.debug("snapshot header from {}: {}", server, stream.header);
      return stream;
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      // already names the server and the silence (TimeoutNamingInputStream)
      throw RedisOpsException.failed(describe(e) + " during the replication handshake", e);
    } catch (IOException e) {
      closeQuietly(socket);
      // A TLS-only port answers plain text by closing or resetting the connection: say what
      // probably went wrong.
      boolean droppedUs = e instanceof EOFException || e instanceof SocketException;
      String hint = droppedUs && !ep.tls() ? "; if the server only accepts TLS use rediss://" : "";
      throw RedisOpsException.failed(
          "replication handshake with Redis at " + server + " failed: " + describe(e) + hint, e);
    } catch (RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  /**
   * Reads the bulk header from a stream positioned right after the {@code SYNC} command and frames
   * the payload. Package-private so the framing can be tested on byte streams.
   */
  static ReplicationRdbStream fromReplicationStream(
      InputStream in, String server, Clock clock, Closeable connection) throws IOException {
    RdbBulkHeader header = RdbBulkHeader.read(in, server);
    Instant at = clock.instant();
    InputStream body =
        header.diskless()
            ? new EofFramedRdbInputStream(in, header.eofMark(), server)
            : new LengthFramedRdbInputStream(in, header.declaredLength(), server);
    return new ReplicationRdbStream(connection, header, at, body);
  }

  /**
   * The RDB bytes: exactly the payload, then -1. A connection that ends first gives an {@link
   * IOException} "replication stream from X ended after N bytes, before the end of the RDB".
   * Closing it closes this stream.
   */
  public InputStream rdb() {
    return rdb;
  }

  /**
   * True when the master streamed the snapshot without writing it to disk ({@code $EOF:} framing).
   */
  public boolean diskless() {
    return header.diskless();
  }

  /**
   * Payload length announced by the master, or -1 when {@link #diskless()} (the length is then
   * unknown).
   */
  public long declaredLength() {
    return header.declaredLength();
  }

  /**
   * When the bulk header arrived, by the clock given to {@code open}: the snapshot existed (or was
   * being streamed) then.
   */
  public Instant headerReceivedAt() {
    return headerReceivedAt;
  }

  /** Closes the connection; the master then drops this pseudo-replica. Idempotent. */
  @Override
  public void close() {
    closeQuietly(connection);
  }

  static String prematureEnd(String server, long bytes) {
    return "replication stream from "
        + server
        + " ended after "
        + bytes
        + " bytes, before the end of the RDB";
  }

  static Socket connect(RedisEndpoint ep, Duration connectTimeout, Duration readTimeout) {
    if (ep.isSocket()) {
      // java.net.Socket (whose read timeout and TLS layering this class relies on) speaks TCP only
      throw RedisOpsException.usage(
          "a snapshot over the replication stream needs Redis' TCP address, not the Unix socket "
              + ep.socket()
              + "; use --method bgsave or --redis redis://127.0.0.1:PORT");
    }
    return RedisSockets.connect(ep, connectTimeout, readTimeout);
  }

  static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      log.debug("closing the replication connection failed", e);
    }
  }

  /** Says which server went silent, and for how long, instead of the bare "Read timed out". */
  static final class TimeoutNamingInputStream extends FilterInputStream {
    private final String server;
    private final Duration readTimeout;

    TimeoutNamingInputStream(InputStream in, String server, Duration readTimeout) {
      super(in);
      this.server = server;
      this.readTimeout = readTimeout;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (SocketTimeoutException e) {
        throw renamed(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (SocketTimeoutException e) {
        throw renamed(e);
      }
    }

    private SocketTimeoutException renamed(SocketTimeoutException e) {
      SocketTimeoutException named =
          new SocketTimeoutException(
              "Redis at " + server + " sent nothing for " + readTimeout.toMillis() + " ms");
      named.initCause(e);
      return named;
    }
  }
}

package io.redisops.backup.snapshot;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.ArchiverAnnouncement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands a pseudo-replica sends before the snapshot: AUTH, {@code REPLCONF capa eof} (we can
 * read the diskless {@code $EOF:} framing), {@code REPLCONF listening-port -2} (a port Sentinel
 * never records: {@link ArchiverAnnouncement}), {@code REPLCONF version} (which RDB format we
 * read), {@code REPLCONF rdb-only 1} (send the RDB only, no command stream after it), {@code SYNC}.
 *
 * <p>Valkey picks the RDB version it sends from the version a replica announces, and without an
 * announcement sends RDB 11, which cannot hold hash fields with their own TTL (Valkey 9's fork then
 * fails with "Can't store key ... in RDB version 11" and the stream ends early). Redis does not
 * know {@code REPLCONF version}, answers with an error, and always sends its own format; that error
 * is expected and ignored. No other capability is announced: a {@code capa} we do not decode (e.g.
 * compressed transfers) would make the server send what we cannot verify.
 */
final class ReplicationHandshake {
  private static final Logger log = LoggerFactory.getLogger(ReplicationHandshake.class);

  /**
   * The Valkey version announced to the server: the newest Valkey whose RDB format ({@code
   * VALKEY081}) this tool parses fully. Raise it only together with the parser.
   */
  static final String ANNOUNCED_VALKEY_VERSION = "9.2.0";

  private final InputStream in;
  private final OutputStream out;
  private final String server;

  ReplicationHandshake(InputStream in, OutputStream out, String server) {
    this.in = in;
    this.out = out;
    this.server = server;
  }

  /**
   * Sends everything up to and including SYNC; the reply to SYNC is left for {@link
   * RdbBulkHeader#read}.
   */
  void run(RedisEndpoint ep) throws IOException {
    authenticate(ep);
    expectOk("REPLCONF capa eof", "REPLCONF", "capa", "eof");
    // A port Sentinel refuses to record (docs/redis-facts.md, "Sentinel and the archiver"):
    // without one the master lists the capture as port 0, and a sentinel refreshing its INFO
    // meanwhile keeps that as a replica, down, in its configuration until SENTINEL RESET.
    for (java.util.List<String> c : ArchiverAnnouncement.captureHandshake()) {
      optional("REPLCONF listening-port", c.toArray(String[]::new));
    }
    optional("REPLCONF version", "REPLCONF", "version", ANNOUNCED_VALKEY_VERSION);
    // Servers before 7.0 do not know rdb-only; they send the command stream after the RDB, which we
    // never read.
    optional("REPLCONF rdb-only", "REPLCONF", "rdb-only", "1");
    send("SYNC");
  }

  /**
   * AUTH when the endpoint names an ACL user or carries a password ({@link
   * RedisEndpoint#authCommand}).
   */
  void authenticate(RedisEndpoint ep) throws IOException {
    String[] auth = ep.authCommand();
    if (auth.length > 0) {
      expectOk("AUTH", auth);
    }
  }

  /**
   * A command the server may not know: an error reply is logged and ignored, but not a permission
   * problem.
   */
  void optional(String shownAs, String... command) throws IOException {
    try {
      expectOk(shownAs, command);
    } catch (RedisOpsException e) {
      if (e.exitCode() != ExitCode.FAILED) {
        throw e; // NOPERM, NOAUTH: the user must act
      }
      log.debug(
          "{} does not support {}, continuing without it: {}", server, shownAs, e.getMessage());
    }
  }

  /**
   * @param shownAs the command as named in messages: never with its arguments, which may hold the
   *     password
   */
  void expectOk(String shownAs, String... command) throws IOException {
    send(command);
    int type = in.read();
    if (type == -1) {
      throw new java.io.EOFException("connection closed by the server after " + shownAs);
    }
    String line = RdbBulkHeader.readLine(in, server);
    if (type == '-') {
      throw RedisErrorReplies.toException(server, shownAs, line);
    }
    if (type != '+') {
      throw RedisOpsException.failed(
          "Redis at "
              + server
              + " answered "
              + shownAs
              + " with an unexpected reply of type '"
              + (char) type
              + "'; is it a Redis server?",
          null);
    }
  }

  void send(String... command) throws IOException {
    StringBuilder sb = new StringBuilder().append('*').append(command.length).append("\r\n");
    for (String arg : command) {
      sb.append('$')
          .append(arg.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(arg)
          .append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}

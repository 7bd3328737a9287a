package io.redisops.redis;

import io.redisops.error.RedisOpsException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One blocking RESP2 connection to a Redis server: a command out, its reply back, one at a time.
 * What {@link RedisSession} speaks.
 *
 * <p>Written by hand rather than taken from Lettuce (which the Sentinel side still uses for its
 * pub/sub): every {@code redis-ops} command is a short process that sends a handful of
 * administrative commands (INFO, CONFIG GET, BGSAVE, PING, SHUTDOWN), and Lettuce's start-up (Netty
 * event loops, the reflective proxy of its synchronous API) cost about one second of a 2-core
 * machine's time before the first command went out: a third of a 100 MB backup. A blocking socket
 * needs none of its features; the replication capture already speaks RESP by hand for the same
 * reason (Lettuce cannot read a replication stream).
 *
 * <p>Replies: {@code +status} and {@code $bulk} as {@link String} (UTF-8; a null bulk as null),
 * {@code :integer} as {@link Long}, {@code *array} as a {@link List} of those. An {@code -error}
 * reply throws {@link RedisErrorReply}; a lost or silent connection throws {@link
 * RedisOpsException} (FAILED) naming the server. TCP (and TLS) through {@link RedisSockets}; Unix
 * sockets through a non-blocking channel so that the read timeout holds there too.
 */
public final class RespConnection implements Closeable {
  private static final int BUFFER = 16 * 1024;

  /** Longest reply line (status, error, length) accepted before the peer is taken for no Redis. */
  private static final int MAX_LINE = 64 * 1024;

  private final String server;
  private final Duration readTimeout;
  private final Closeable transport;
  private final InputStream in;
  private final OutputStream out;

  private RespConnection(
      String server, Duration readTimeout, Closeable transport, InputStream in, OutputStream out) {
    this.server = server;
    this.readTimeout = readTimeout;
    this.transport = transport;
    this.in = in;
    this.out = out;
  }

  /**
   * Connects (TCP, TLS or Unix socket as the endpoint says); sends nothing.
   *
   * @param readTimeout the longest wait for a reply
   */
  public static RespConnection open(
      RedisEndpoint ep, Duration connectTimeout, Duration readTimeout) {
    String server = ep.toString();
    if (ep.isSocket()) {
      return openUnix(ep, readTimeout);
    }
    Socket socket = RedisSockets.connect(ep, connectTimeout, readTimeout);
    try {
      return new RespConnection(
          server,
          readTimeout,
          socket,
          new BufferedInputStream(socket.getInputStream(), BUFFER),
          new BufferedOutputStream(socket.getOutputStream(), BUFFER));
    } catch (IOException e) {
      RedisSockets.closeQuietly(socket);
      throw RedisOpsException.failed(
          "unable to connect to Redis at "
              + server
              + ": "
              + RedisSockets.describe(e)
              + "; check --redis and that the server runs",
          e);
    }
  }

  private static RespConnection openUnix(RedisEndpoint ep, Duration readTimeout) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(ep.socket()));
      channel.configureBlocking(false);
      Selector selector = Selector.open();
      ChannelIo io = new ChannelIo(channel, selector, readTimeout);
      return new RespConnection(
          ep.toString(),
          readTimeout,
          io,
          new BufferedInputStream(io.input(), BUFFER),
          new BufferedOutputStream(io.output(), BUFFER));
    } catch (IOException e) {
      if (channel != null) {
        RedisSockets.closeQuietly(channel);
      }
      throw RedisOpsException.failed(
          "unable to connect to Redis at "
              + ep
              + ": "
              + RedisSockets.describe(e)
              + "; check --redis (unixsocket in redis.conf) and that the server runs",
          e);
    }
  }

  /**
   * Sends one command and returns its reply.
   *
   * @throws RedisErrorReply the server answered with an error
   * @throws RedisOpsException FAILED: the connection was lost, or no reply came in time
   */
  public synchronized Object call(String... command) {
    try {
      write(command);
      return read();
    } catch (SocketTimeoutException e) {
      throw RedisOpsException.failed(
          "Redis at " + server + " did not answer within " + readTimeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "Redis at " + server + " failed: connection lost (" + RedisSockets.describe(e) + ")", e);
    }
  }

  private void write(String... command) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    b.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : command) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(bytes);
      b.writeBytes(CRLF);
    }
    b.writeTo(out);
    out.flush();
  }

  private static final byte[] CRLF = {'\r', '\n'};

  private Object read() throws IOException {
    int type = in.read();
    if (type == -1) {
      throw new EOFException("connection closed by the server");
    }
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RedisErrorReply(line);
      case ':':
        return number(line);
      case '$':
        {
          long n = number(line);
          if (n < 0) {
            return null;
          }
          byte[] data = in.readNBytes(Math.toIntExact(n));
          if (data.length < n || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("connection closed by the server in the middle of a reply");
          }
          return new String(data, StandardCharsets.UTF_8);
        }
      case '*':
        {
          long n = number(line);
          if (n < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>();
          for (long i = 0; i < n; i++) {
            try {
              items.add(read());
            } catch (RedisErrorReply e) {
              items.add(e); // an error inside an array (EXEC) is an element, not the reply
            }
          }
          return items;
        }
      default:
        throw RedisOpsException.failed(
            "Redis at "
                + server
                + " sent a reply of unknown type '"
                + printable(String.valueOf((char) type))
                + "'; is it a Redis server?",
            null);
    }
  }

  private long number(String line) {
    try {
      return Long.parseLong(line);
    } catch (NumberFormatException e) {
      throw RedisOpsException.failed(
          "Redis at " + server + " sent '" + printable(line) + "' where a number belongs", e);
    }
  }

  private String line() throws IOException {
    return readLine(in, server, MAX_LINE);
  }

  /**
   * One RESP line up to CRLF, without it; bounded so that a peer that is not Redis cannot make us
   * buffer forever. Also what the replication capture reads its handshake replies with.
   *
   * @param server the server as shown in messages (no password)
   * @throws EOFException the connection ended before the line did
   */
  public static String readLine(InputStream in, String server, int maxLine) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        int lf = in.read();
        if (lf == '\n') {
          return sb.toString();
        }
        if (lf == -1) {
          break;
        }
        sb.append('\r').append((char) lf);
      } else {
        sb.append((char) c);
      }
      if (sb.length() > maxLine) {
        throw RedisOpsException.failed(
            "Redis at "
                + server
                + " sent a reply line longer than "
                + maxLine
                + " bytes; is it a Redis server?",
            null);
      }
    }
    throw new EOFException(
        "Redis at " + server + " closed the connection in the middle of a reply");
  }

  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 80 ? p.substring(0, 80) + "..." : p;
  }

  /** The server as shown in messages (no password). */
  public String server() {
    return server;
  }

  /**
   * Closes the connection; a call blocked in another thread then fails. Idempotent, never blocks on
   * a running call.
   */
  @Override
  public void close() {
    RedisSockets.closeQuietly(transport);
  }

  /**
   * Blocking streams over a non-blocking Unix-socket channel, with a read timeout (a channel's own
   * streams have none).
   */
  private static final class ChannelIo implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;

    ChannelIo(SocketChannel channel, Selector selector, Duration timeout) throws IOException {
      this.channel = channel;
      this.selector = selector;
      this.timeoutMillis = Math.max(1, timeout.toMillis());
      channel.register(selector, 0);
    }

    private void await(int op) throws IOException {
      SelectionKey key = channel.keyFor(selector);
      if (key == null || !key.isValid()) {
        throw new EOFException("connection closed");
      }
      try {
        key.interestOps(op);
        if (selector.select(timeoutMillis) == 0 && !channel.isOpen()) {
          throw new EOFException("connection closed");
        }
        selector.selectedKeys().clear();
      } catch (ClosedSelectorException | CancelledKeyException e) {
        // close() from another thread, between the check above and the select or while in it
        throw new EOFException("connection closed");
      }
    }

    InputStream input() {
      return new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (len == 0) {
            return 0;
          }
          ByteBuffer buf = ByteBuffer.wrap(b, off, len);
          long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
          while (true) {
            int n = channel.read(buf);
            if (n != 0) {
              return n;
            }
            if (System.nanoTime() - deadline >= 0) {
              throw new SocketTimeoutException("Read timed out");
            }
            await(SelectionKey.OP_READ);
          }
        }
      };
    }

    OutputStream output() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          ByteBuffer buf = ByteBuffer.wrap(b, off, len);
          long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
          while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
              if (System.nanoTime() - deadline >= 0) {
                throw new SocketTimeoutException("Write timed out");
              }
              await(SelectionKey.OP_WRITE);
            }
          }
        }
      };
    }

    @Override
    public void close() throws IOException {
      try {
        channel.close();
      } finally {
        selector.wakeup();
        selector.close();
      }
    }
  }
}

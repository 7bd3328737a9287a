package io.redisops.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for the testkit's own probes (readiness, replication and Sentinel
 * discovery).
 *
 * <p>Why not Lettuce: a probe runs many times against a server that is still starting; a plain
 * socket with a short timeout fails fast and quietly, where a Lettuce client would reconnect and
 * log. Replies: simple string and bulk string as {@link String} (null bulk as null), integer as
 * {@link Long}, array as {@link List}; an error reply throws {@link Resp.ErrorReply}.
 */
final class Resp {

  /**
   * An error reply from the server ({@code -ERR ...}, {@code -LOADING ...}, {@code -NOAUTH ...}).
   */
  static final class ErrorReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }

  private Resp() {}

  /**
   * Opens a connection, logs in when {@code password} is set, sends one command and returns its
   * reply.
   *
   * @param username ACL user, or null for the default user
   * @param password password, or null to skip AUTH
   */
  static Object call(
      String host,
      int port,
      String username,
      String password,
      Duration timeout,
      String... command) {
    try (Socket socket = new Socket()) {
      int millis = (int) timeout.toMillis();
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      if (password != null) {
        write(
            out,
            username == null
                ? new String[] {"AUTH", password}
                : new String[] {"AUTH", username, password});
        read(in);
      }
      write(out, command);
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "unable to send " + command[0] + " to " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static void write(OutputStream out, String... args) throws IOException {
    StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      b.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed by the server");
    }
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          byte[] data = in.readNBytes(length + 2);
          return new String(data, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(read(in));
          }
          return items;
        }
      default:
        throw new IOException("unexpected RESP type byte '" + (char) type + "'");
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed in the middle of a reply");
      }
      line.write(c);
    }
    in.read(); // the '\n' after '\r'
    return line.toString(StandardCharsets.UTF_8);
  }
}

package io.redisops.backup.snapshot;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * A real {@code redis-server} on a free loopback port, for integration tests. Stand-in until the shared testkit lands
 * on main: started with ProcessBuilder, ready once PING answers, stopped by PID (also from a shutdown hook, so a
 * crashed test run leaves nothing behind).
 */
final class LocalRedisServer implements AutoCloseable {
  private static final Duration READY_DEADLINE = Duration.ofSeconds(15);

  private final Process process;
  private final int port;
  private final Path dir;
  private final SocketFactory sockets;
  private final String password;
  private final Thread reaper;

  private LocalRedisServer(Process process, int port, Path dir, SocketFactory sockets, String password) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.sockets = sockets;
    this.password = password;
    long pid = process.pid();
    this.reaper = new Thread(() -> stopPid(pid), "stop redis-server " + pid);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code redis-server} in {@code dir} on a free port.
   *
   * @param tlsSockets null for a plain server; else the server gets {@code --port 0 --tls-port <free>} (pass the TLS
   *     arguments in {@code extraArgs}) and readiness is checked with these sockets
   * @param password the default user's password, for the readiness PING and {@link #command}; null for none
   */
  static LocalRedisServer start(Path dir, SSLSocketFactory tlsSockets, String password, String... extraArgs)
      throws IOException {
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""));
    if (tlsSockets == null) {
      cmd.addAll(List.of("--port", String.valueOf(port)));
    } else {
      cmd.addAll(List.of("--port", "0", "--tls-port", String.valueOf(port)));
    }
    cmd.addAll(List.of(extraArgs));
    Path log = dir.resolve("redis-server.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalRedisServer server = new LocalRedisServer(p, port, dir,
        tlsSockets == null ? SocketFactory.getDefault() : tlsSockets, password);
    try {
      server.awaitReady(log);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  /** Sends one command and returns the first line of the reply (enough for +OK, :n, -ERR, $n). */
  String command(String... args) throws IOException {
    try (Socket s = sockets.createSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      if (password != null) {
        send(out, "AUTH", password);
        readLine(in);
      }
      send(out, args);
      return readLine(in);
    }
  }

  private void awaitReady(Path log) throws IOException {
    Instant deadline = Instant.now().plus(READY_DEADLINE);
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        if (command("PING").equals("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet: poll again until the deadline
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("redis-server on port " + port + " did not answer PING within " + READY_DEADLINE
            + ": " + Files.readString(log));
      }
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS); // returns early if it dies
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /** Stops the process by its PID: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    stopPid(process.pid());
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or will run: nothing to remove
    }
  }

  private static void stopPid(long pid) {
    ProcessHandle.of(pid).ifPresent(h -> {
      h.destroy();
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    });
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void send(OutputStream out, String... args) throws IOException {
    StringBuilder sb = new StringBuilder("*" + args.length + "\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\r') {
      sb.append((char) c);
    }
    in.read(); // '\n'
    if (c == -1) {
      throw new IOException("connection closed");
    }
    return sb.toString();
  }
}

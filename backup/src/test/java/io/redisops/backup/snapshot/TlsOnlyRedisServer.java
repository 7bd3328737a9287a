package io.redisops.backup.snapshot;

import io.redisops.redis.TlsSupport;
import io.redisops.testkit.FreePorts;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/**
 * A real {@code redis-server} with only a TLS port ({@code --port 0 --tls-port <free>}) on
 * 127.0.0.1. The testkit's {@code RedisServer} cannot start this one: it owns {@code port} and
 * probes readiness over plain TCP. Started with ProcessBuilder, ready once PING answers over TLS
 * (polled with a deadline), stopped by PID in {@link #close()} and, should the JVM exit first, by a
 * shutdown hook.
 */
final class TlsOnlyRedisServer implements AutoCloseable {
  private static final Duration READY_DEADLINE = Duration.ofSeconds(15);

  private final Process process;
  private final int port;
  private final SSLSocketFactory sockets;
  private final Thread reaper;

  private TlsOnlyRedisServer(Process process, int port, SSLSocketFactory sockets) {
    this.process = process;
    this.port = port;
    this.sockets = sockets;
    long pid = process.pid();
    this.reaper = new Thread(() -> stopPid(pid), "stop redis-server " + pid);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code redis-server} in {@code dir}, serving {@code certs}, with {@code extraArgs}
   * appended.
   */
  static TlsOnlyRedisServer start(Path dir, TestCertificates certs, String... extraArgs)
      throws IOException {
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                "",
                "--port",
                "0",
                "--tls-port",
                String.valueOf(port)));
    cmd.addAll(certs.redisArgs());
    cmd.addAll(List.of(extraArgs));
    Path log = dir.resolve("redis-server.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    TlsOnlyRedisServer server =
        new TlsOnlyRedisServer(p, port, TlsSupport.forCaFile(certs.caCert).getSocketFactory());
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

  /** Writes the keys with one MSET. */
  void mset(Map<String, String> keys) throws IOException {
    List<String> args = new ArrayList<>(List.of("MSET"));
    keys.forEach(
        (k, v) -> {
          args.add(k);
          args.add(v);
        });
    String reply = command(args.toArray(String[]::new));
    if (!reply.equals("+OK")) {
      throw new IOException("MSET answered " + reply);
    }
  }

  /**
   * Sends one command over TLS and returns the first line of the reply (enough for +OK, :n, -ERR).
   */
  String command(String... args) throws IOException {
    try (Socket s = sockets.createSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      StringBuilder sb = new StringBuilder("*" + args.length + "\r\n");
      for (String a : args) {
        sb.append('$')
            .append(a.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n")
            .append(a)
            .append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return RdbBulkHeader.readLine(in, "test server");
    }
  }

  private void awaitReady(Path log) throws IOException {
    Instant deadline = Instant.now().plus(READY_DEADLINE);
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "redis-server exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        if (command("PING").equals("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet: poll again until the deadline
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(
            "redis-server on TLS port "
                + port
                + " did not answer PING within "
                + READY_DEADLINE
                + ": "
                + Files.readString(log));
      }
      try {
        process.waitFor(
            20, TimeUnit.MILLISECONDS); // a poll interval that ends early if the process dies
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
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.destroy();
              try {
                h.onExit().get(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                h.destroyForcibly();
              }
            });
  }

  private static int freePort() throws IOException {
    // never 6379: the kernel hands out ephemeral ports (32768 and up here)
    return FreePorts.next();
  }
}

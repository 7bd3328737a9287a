package io.redisops.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out free TCP ports on 127.0.0.1.
 *
 * <p>The port is free when handed out, not reserved: the caller must retry with another port if the
 * bind fails. Ports 6379 and 26379 are never handed out, so a test can never touch a real Redis or
 * Sentinel, and a port is not handed out twice by this JVM, so two servers starting at once do not
 * pick the same one.
 */
public final class FreePorts {

  private static final Set<Integer> FORBIDDEN = Set.of(6379, 26379);
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  public static synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = probe();
      if (!FORBIDDEN.contains(port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port found after 100 attempts");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("unable to find a free loopback port", e);
    }
  }
}

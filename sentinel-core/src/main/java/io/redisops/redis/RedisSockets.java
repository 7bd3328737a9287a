package io.redisops.redis;

import io.redisops.error.RedisOpsException;
import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Plain and TLS TCP sockets to a Redis server, with the CLI's one-line errors: what {@link
 * RespConnection} and the replication-stream capture connect with. Messages name the server as
 * {@link RedisEndpoint#toString()} does, never with its password.
 */
public final class RedisSockets {
  private RedisSockets() {}

  /**
   * Connects over TCP (TLS when {@code ep.tls()}, trusting {@code ep.caFile()}, with host name
   * verification when the host is a name rather than an IP address).
   *
   * @param readTimeout the socket's read timeout ({@code SO_TIMEOUT})
   * @throws RedisOpsException FAILED: unreachable, refused, TLS handshake failed
   */
  public static Socket connect(RedisEndpoint ep, Duration connectTimeout, Duration readTimeout) {
    String server = ep.toString();
    Socket raw = new Socket();
    try {
      raw.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      raw.setKeepAlive(true);
      raw.setTcpNoDelay(true);
      raw.connect(
          new InetSocketAddress(ep.host(), ep.port()), Math.toIntExact(connectTimeout.toMillis()));
    } catch (IOException e) {
      closeQuietly(raw);
      String reason;
      if (e instanceof ConnectException) {
        reason = "connection refused";
      } else if (e instanceof SocketTimeoutException) {
        reason = "no answer within " + connectTimeout.toMillis() + " ms";
      } else if (e instanceof UnknownHostException) {
        reason = "unknown host";
      } else {
        reason = describe(e);
      }
      throw RedisOpsException.failed(
          "unable to connect to Redis at "
              + server
              + ": "
              + reason
              + "; check --redis and that the server runs",
          e);
    }
    if (!ep.tls()) {
      return raw;
    }
    try {
      SSLSocket tls =
          (SSLSocket)
              TlsSupport.forCaFile(ep.caFile())
                  .getSocketFactory()
                  .createSocket(raw, ep.host(), ep.port(), true);
      SSLParameters params = tls.getSSLParameters();
      if (!isIpLiteral(ep.host())) {
        // A certificate for "redis.example" must not be accepted from "evil.example"; servers
        // addressed by IP are commonly given certificates without IP entries, so for them the CA
        // alone decides (as redis-cli does).
        params.setEndpointIdentificationAlgorithm("HTTPS");
      }
      tls.setSSLParameters(params);
      tls.startHandshake(); // fail here, with a TLS message, rather than on the first AUTH
      return tls;
    } catch (IOException e) {
      closeQuietly(raw);
      String reason =
          e instanceof SSLException ? describe(e) : "connection lost (" + describe(e) + ")";
      throw RedisOpsException.failed(
          "TLS handshake with Redis at "
              + server
              + " failed: "
              + reason
              + "; check --tls-ca-file, the host name in --redis and that the port speaks TLS",
          e);
    } catch (RuntimeException e) {
      closeQuietly(raw);
      throw e;
    }
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  /** An exception's message, or its class's name when it has none. */
  public static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Closes, ignoring a failure (there is nothing left to do about it). */
  public static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing a connection we are done with: nothing depends on it
    }
  }
}

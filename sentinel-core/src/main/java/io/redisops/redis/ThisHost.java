package io.redisops.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;

/** Whether an address belongs to the machine redis-ops runs on. */
public final class ThisHost {
  private ThisHost() {}

  /**
   * True for a loopback or wildcard address and for an address of one of this machine's network
   * interfaces; false for any other and for a name that does not resolve.
   */
  public static boolean owns(String host) {
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress()
          || a.isAnyLocalAddress()
          || NetworkInterface.getByInetAddress(a) != null;
    } catch (IOException e) {
      return false;
    }
  }
}

package io.redisops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListenAddressTest {

  @Test
  void defaultIsLoopback9121() {
    assertEquals(
        Optional.of(new ListenAddress("127.0.0.1", 9121)),
        ListenAddress.parse(null, "http.listen"));
  }

  @Test
  void offSwitchesTheEndpointsOff() {
    assertTrue(ListenAddress.parse("off", "http.listen").isEmpty());
    assertTrue(ListenAddress.parse("OFF", "http.listen").isEmpty());
  }

  @Test
  void hostPortAndIpv6Literal() {
    assertEquals(
        new ListenAddress("0.0.0.0", 9300),
        ListenAddress.parse("0.0.0.0:9300", "http.listen").get());
    assertEquals(
        new ListenAddress("localhost", 1),
        ListenAddress.parse(" localhost:1 ", "http.listen").get());
    ListenAddress v6 = ListenAddress.parse("[::1]:9121", "http.listen").get();
    assertEquals(new ListenAddress("::1", 9121), v6);
    assertEquals("[::1]:9121", v6.toString());
    assertEquals(9121, v6.socketAddress().getPort());
    assertTrue(v6.socketAddress().getAddress().isLoopbackAddress());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "9121",
        "127.0.0.1",
        "127.0.0.1:",
        ":9121",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:99999999",
        "127.0.0.1:port",
        "http://127.0.0.1:9121",
        "::1:9121",
        "host name:80",
        "on"
      })
  void badValuesAreRefusedNamingTheKey(String text) {
    RedisOpsException e =
        assertThrows(RedisOpsException.class, () -> ListenAddress.parse(text, "http.listen"));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("http.listen: "), e.getMessage());
  }
}

package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written canonical-integer check agrees with Long.parseLong + Long.toString on every kind
 * of input.
 */
class CanonicalLongTest {

  private static Long reference(String s) {
    try {
      long v = Long.parseLong(s);
      return Long.toString(v).equals(s) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long ours(String s) {
    byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.ISO_8859_1);
    return RdbEncodings.parseLong(b, 2, s.length());
  }

  @Test
  void agreesWithTheJdkOnEdgeCases() {
    for (String s :
        new String[] {
          "0",
          "-0",
          "00",
          "01",
          "-01",
          "7",
          "-7",
          "+7",
          "-",
          "",
          " 1",
          "1 ",
          "12a",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775808",
          "-9223372036854775809",
          "99999999999999999999",
          "-99999999999999999999",
          "123456789012345678901",
          "a",
          "value1",
          "1e5"
        }) {
      assertThat(ours(s)).as("'%s'", s).isEqualTo(reference(s));
    }
  }

  @Test
  void agreesWithTheJdkOnRandomStrings() {
    Random r = new Random(7);
    String alphabet = "0123456789-+ a";
    for (int n = 0; n < 200_000; n++) {
      int len = 1 + r.nextInt(21);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) {
        sb.append(
            i == 0 || r.nextInt(8) > 0
                ? alphabet.charAt(r.nextInt(10 + (i == 0 ? 3 : 0)))
                : alphabet.charAt(r.nextInt(14)));
      }
      String s = sb.toString();
      assertThat(ours(s)).as("'%s'", s).isEqualTo(reference(s));
    }
    for (int n = 0; n < 100_000; n++) {
      long v = r.nextLong() >> r.nextInt(64);
      assertThat(ours(Long.toString(v))).isEqualTo(v);
    }
  }
}

package io.redisops.secret;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void toStringHidesTheValue() {
    Secret s = Secret.of("hunter2");
    assertThat(s).hasToString("****");
    assertThat("password=" + s).isEqualTo("password=****");
    assertThat(Secret.of("")).hasToString("****");
  }

  @Test
  void revealGivesTheValue() {
    assertThat(Secret.of("hunter2").reveal()).isEqualTo("hunter2");
    assertThat(Secret.of("").isEmpty()).isTrue();
    assertThat(Secret.of("x").isEmpty()).isFalse();
  }

  @Test
  void equalityIsByValue() {
    assertThat(Secret.of("a")).isEqualTo(Secret.of("a")).hasSameHashCodeAs(Secret.of("a"));
    assertThat(Secret.of("a")).isNotEqualTo(Secret.of("b"));
  }
}

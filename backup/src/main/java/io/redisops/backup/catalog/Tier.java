package io.redisops.backup.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.redisops.error.RedisOpsException;
import java.util.Locale;

/** Why a backup was taken; retention is decided per tier. A backup can be in several tiers. */
public enum Tier {
  HOURLY,
  DAILY,
  MANUAL;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Tier parse(String text) {
    for (Tier t : values()) {
      if (t.id().equals(text)) {
        return t;
      }
    }
    throw RedisOpsException.usage("unknown tier '" + text + "'; use hourly, daily or manual");
  }
}

package io.redisops.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The configuration file (DESIGN.md section 3), as far as this version uses it. Every key is optional; defaults are
 * applied by {@link Settings}. Keys are kebab-case in YAML.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record Config(List<Dataset> datasets, Repository repository, Retention retention) {

  public static Config empty() {
    return new Config(null, null, null);
  }

  /** One Redis instance this host backs up. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Dataset(String name, Redis redis) {}

  /** How to reach it. The password comes from {@code password-file} or env {@code REDIS_OPS_REDIS_PASSWORD}. */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Redis(String uri, String passwordFile, String tlsCaFile) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Repository(String path, String compression) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Retention(String hourly, String daily, @JsonProperty("offsite-hourly") String offsiteHourly,
      @JsonProperty("offsite-daily") String offsiteDaily) {}
}

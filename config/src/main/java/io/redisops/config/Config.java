package io.redisops.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The configuration file, as documented in docs/configuration.md. Every key is optional; {@link
 * Settings} applies the defaults and validates values; {@link NotYetSupported} refuses keys whose
 * feature this version does not have yet. Keys are kebab-case in YAML.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record Config(
    List<Dataset> datasets,
    Repository repository,
    Offsite offsite,
    Schedule schedule,
    Retention retention,
    Http http,
    @JsonProperty("notify") Notify notifications,
    Drill drill,
    Archive archive) {

  /** A configuration without the {@code archive} section. */
  public Config(
      List<Dataset> datasets,
      Repository repository,
      Offsite offsite,
      Schedule schedule,
      Retention retention,
      Http http,
      Notify notifications,
      Drill drill) {
    this(datasets, repository, offsite, schedule, retention, http, notifications, drill, null);
  }

  /** A configuration without the {@code drill} section. */
  public Config(
      List<Dataset> datasets,
      Repository repository,
      Offsite offsite,
      Schedule schedule,
      Retention retention,
      Http http,
      Notify notifications) {
    this(datasets, repository, offsite, schedule, retention, http, notifications, null, null);
  }

  public static Config empty() {
    return new Config(null, null, null, null, null, null, null, null, null);
  }

  /**
   * One Redis instance this host backs up; {@code method} is how its backups are captured (auto,
   * bgsave or replication; null for auto).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Dataset(String name, Redis redis, Sentinel sentinel, String method) {
    /** A dataset captured the default way (auto). */
    public Dataset(String name, Redis redis, Sentinel sentinel) {
      this(name, redis, sentinel, null);
    }
  }

  /**
   * How to reach it and how to stop and start it. The password comes from {@code password-file} or
   * env {@code REDIS_OPS_REDIS_PASSWORD}. {@code stop-command} is {@code shutdown-nosave} or a
   * command list.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Redis(
      String uri,
      String passwordFile,
      String tlsCaFile,
      String configFile,
      List<String> startCommand,
      Object stopCommand) {}

  /**
   * The sentinels monitoring this dataset's Redis: master name, {@code host:port} of each sentinel
   * (or a {@code redis://} / {@code rediss://} URI), their password ({@code password-file} or env
   * {@code REDIS_OPS_SENTINEL_PASSWORD}), their ACL user, where scheduled backups come from, and
   * how often the daemon runs the deployment checks.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Sentinel(
      String master,
      List<String> nodes,
      String passwordFile,
      String user,
      String backupFrom,
      String checkInterval) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Repository(String path, String compression, Integer compressionLevel) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Offsite(
      String uri,
      String endpoint,
      String region,
      Boolean pathStyle,
      String credentials,
      String storageClass,
      String sse,
      String kmsKeyId,
      String encryptionKeyFile,
      Boolean pushAfterBackup,
      String checksum) {

    /** Without {@code push-after-backup} (false) and {@code checksum} (crc32c). */
    public Offsite(
        String uri,
        String endpoint,
        String region,
        Boolean pathStyle,
        String credentials,
        String storageClass,
        String sse,
        String kmsKeyId,
        String encryptionKeyFile) {
      this(
          uri,
          endpoint,
          region,
          pathStyle,
          credentials,
          storageClass,
          sse,
          kmsKeyId,
          encryptionKeyFile,
          null,
          null);
    }
  }

  /**
   * Quartz cron expressions (local time zone; {@code drill}: the restore drills), the first delay
   * between retries of a failed backup (doubling each time, within the tier's period) and how long
   * a stopping daemon lets a running capture finish.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Schedule(
      String hourly,
      String daily,
      String offsite,
      String retryBackoff,
      String stopGrace,
      String drill) {
    public Schedule(
        String hourly, String daily, String offsite, String retryBackoff, String stopGrace) {
      this(hourly, daily, offsite, retryBackoff, stopGrace, null);
    }
  }

  /** Restore drills: {@code server}, the program that loads the backups (default: the source's). */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Drill(String server) {}

  /**
   * The point-in-time archive: {@code enabled} (default false), {@code segment} (how often a
   * segment is sealed, default 1s), {@code segment-size} (the size at which one is sealed at once,
   * default 16mb).
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Archive(Boolean enabled, String segment, String segmentSize) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Retention(
      String hourly, String daily, String offsiteHourly, String offsiteDaily, String archive) {

    public Retention(String hourly, String daily, String offsiteHourly, String offsiteDaily) {
      this(hourly, daily, offsiteHourly, offsiteDaily, null);
    }
  }

  /**
   * {@code listen}: {@code host:port} of /metrics and /health, or {@code off}; {@code
   * health-grace}: how much later than its period a tier's newest backup may be before /health says
   * unhealthy.
   */
  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Http(String listen, String healthGrace) {}

  @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
  public record Notify(List<String> command, String webhook, String timeout) {}
}

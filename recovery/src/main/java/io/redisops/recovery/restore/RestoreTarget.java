package io.redisops.recovery.restore;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.redis.ServerIdentity;
import java.nio.file.Path;

/**
 * The Redis a restore replaces the data of, as probed before anything is touched. Saved in the
 * state file, so that a resumed or rolled-back restore knows the server even while it is down.
 *
 * @param address host:port
 * @param redisVersion {@code redis_version}
 * @param pid {@code process_id} when probed
 * @param configFile the config file Redis is started with (absolute)
 * @param dir the data directory ({@code CONFIG GET dir}, absolute)
 * @param dbfilename the RDB file name
 * @param appenddirname the AOF folder name inside {@code dir}
 * @param aofOn whether AOF was on at runtime (it is switched on again after the load)
 * @param aofInConfigFile whether the config file says {@code appendonly yes} (it is set to no until
 *     the rewrite ends)
 * @param supervisedBy the service manager found, or null
 * @param pidfile the {@code pidfile} setting, or null
 * @param logfile the {@code logfile} setting, or null (stdout)
 * @param engine {@code redis} or {@code valkey} (null in a state file of an older version: redis)
 * @param engineVersion the engine's own version ({@code valkey_version} for Valkey)
 * @param executable the running server's program (INFO {@code executable}), started again by the
 *     default start command; null when unknown ({@code redis-server} from PATH)
 * @param rdbVersionCheckRelaxed Valkey 9's {@code rdb-version-check relaxed} (loads Redis' newer
 *     formats)
 * @param appendfilename the AOF's base name ({@code appendonly.aof} when null: a state file of an
 *     older version)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RestoreTarget(
    String address,
    String redisVersion,
    long pid,
    String configFile,
    String dir,
    String dbfilename,
    String appenddirname,
    boolean aofOn,
    boolean aofInConfigFile,
    String supervisedBy,
    String pidfile,
    String logfile,
    String engine,
    String engineVersion,
    String executable,
    boolean rdbVersionCheckRelaxed,
    String appendfilename) {

  public RestoreTarget(
      String address,
      String redisVersion,
      long pid,
      String configFile,
      String dir,
      String dbfilename,
      String appenddirname,
      boolean aofOn,
      boolean aofInConfigFile,
      String supervisedBy,
      String pidfile,
      String logfile) {
    this(
        address,
        redisVersion,
        pid,
        configFile,
        dir,
        dbfilename,
        appenddirname,
        aofOn,
        aofInConfigFile,
        supervisedBy,
        pidfile,
        logfile,
        null,
        null,
        null,
        false,
        null);
  }

  /** The AOF's base name, {@code appendonly.aof} when unknown. */
  String appendfilenameOrDefault() {
    return appendfilename == null || appendfilename.isEmpty() ? "appendonly.aof" : appendfilename;
  }

  /** The server as {@link ServerIdentity}; an older state file without the engine means Redis. */
  ServerIdentity identity() {
    return engine == null
        ? new ServerIdentity(ServerIdentity.REDIS, redisVersion, redisVersion)
        : new ServerIdentity(
            engine, engineVersion == null ? redisVersion : engineVersion, redisVersion);
  }

  /**
   * The server as the process control knows it: working directory = data directory, where pidfile
   * and logfile are.
   */
  ProcessControl.Server server() {
    return new ProcessControl.Server(
        dir, configFile, executable, pidfile, logfile, supervisedBy, dbfilename);
  }

  Path dirPath() {
    return Path.of(dir);
  }

  Path rdbPath() {
    return Path.of(dir).resolve(dbfilename);
  }

  Path aofDirPath() {
    return Path.of(dir).resolve(appenddirname);
  }

  Path configPath() {
    return Path.of(configFile);
  }
}

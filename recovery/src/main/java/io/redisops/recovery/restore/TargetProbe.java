package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.kernel.ServiceManager;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.redis.ServerIdentity;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The pre-flight of the safe restore sequence (docs/redis-facts.md, step 1): learns the target
 * (config file, data directory, file names, AOF state, supervision) and refuses, with the reason
 * and what to do (exit 5), every target a restore could harm.
 */
final class TargetProbe {
  /**
   * Room kept free beyond what the restore writes, so that Redis itself does not hit a full disk at
   * once.
   */
  static final long DISK_MARGIN = 16L * 1024 * 1024;

  /** Free bytes of the file system holding a folder; tests replace it to simulate a full disk. */
  @FunctionalInterface
  interface DiskSpace {
    long usable(Path dir) throws IOException;

    DiskSpace REAL = dir -> Files.getFileStore(dir).getUsableSpace();
  }

  private TargetProbe() {}

  /**
   * Refuses (exit 5) a target at an address that is not this host's, before anything connects to
   * it: a restore stops the server, replaces the files of its data directory and starts it, all on
   * this host. A remote server whose {@code process_id} and {@code dir} happen to exist here too (a
   * Redis of this host, hosts set up alike) passed the later checks: the remote one would have been
   * shut down, and this host's files and process replaced.
   */
  static void refuseOtherHost(RedisEndpoint target) {
    if (!target.onThisHost()) {
      throw RedisOpsException.refused(
          "Redis at "
              + target.address()
              + " is not at an address of this host, and a restore works on the files and the"
              + " process of a Redis on the host it runs on; run the restore on that host, or give"
              + " --redis (or --to) with an address of this host");
    }
  }

  /**
   * Reads the target's facts; refuses replicas, supervised servers without commands, and unusable
   * config files.
   */
  static RestoreTarget probe(
      RedisSession redis, String configuredConfigFile, ServiceCommands commands) {
    Map<String, String> server = redis.info("server");
    Map<String, String> replication = redis.info("replication");
    String address = redis.endpoint().address();
    String role = replication.getOrDefault("role", "master");
    if (!role.equals("master")) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " is a replica (role "
              + role
              + " of "
              + replication.getOrDefault("master_host", "?")
              + ":"
              + replication.getOrDefault("master_port", "?")
              + "): it would load the data and then replace it with its master's; restore the master, or run"
              + " REPLICAOF NO ONE first");
    }
    long pid = Long.parseLong(server.getOrDefault("process_id", "-1"));
    String dir =
        redis
            .configGet("dir")
            .orElseThrow(
                () ->
                    RedisOpsException.refused(
                        "Redis at "
                            + address
                            + " does not answer CONFIG GET dir; the restore needs CONFIG (rename-command or ACL?)"));
    String dbfilename = redis.configGet("dbfilename").orElse("dump.rdb");
    String appenddirname = redis.configGet("appenddirname").orElse("appendonlydir");
    boolean aofOn = redis.configGet("appendonly").orElse("no").equalsIgnoreCase("yes");
    String pidfile = redis.configGet("pidfile").filter(s -> !s.isEmpty()).orElse(null);
    String logfile = redis.configGet("logfile").filter(s -> !s.isEmpty()).orElse(null);
    String notHere = ProcessControl.whyNotTheServer(pid, server.get("executable"));
    if (notHere != null || !Files.isDirectory(Path.of(dir))) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " does not run on this host ("
              + (notHere != null
                  ? notHere + ": a server in a container or on another host reports its own"
                  : "its data directory " + dir + " is not found here")
              + "); run the restore on the Redis host");
    }
    String supervisedBy = ServiceManager.detect(server).orElse(null);
    ProcessControl.refuseUnmanageable(address, supervisedBy, commands, "the restore");
    String configFile =
        configuredConfigFile != null
            ? configuredConfigFile
            : server.getOrDefault("config_file", "").isEmpty() ? null : server.get("config_file");
    if (configFile == null) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " was started without a config file: a restart would"
              + " lose its settings; set datasets[].redis.config-file to the file it should start with");
    }
    Path config = Path.of(configFile).toAbsolutePath();
    if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
      throw RedisOpsException.refused(
          "config file "
              + config
              + " of Redis at "
              + address
              + " is not readable here;"
              + " set datasets[].redis.config-file");
    }
    RedisConfigFile file = new RedisConfigFile(config);
    boolean aofInFile;
    try {
      aofInFile = file.get("appendonly").orElse("no").toLowerCase(Locale.ROOT).equals("yes");
      checkSame(file.get("dir"), Path.of(dir), "dir", config, address);
      checkSameName(file.get("dbfilename"), dbfilename, "dbfilename", config, address);
      checkSameName(file.get("appenddirname"), appenddirname, "appenddirname", config, address);
    } catch (IOException e) {
      throw RedisOpsException.refused(
          "unable to read config file " + config + ": " + e.getMessage());
    }
    if (aofInFile && !Files.isWritable(config)) {
      throw RedisOpsException.refused(
          "config file "
              + config
              + " is not writable: the restore must set"
              + " appendonly no in it until the AOF is rewritten; run as its owner");
    }
    if (!Files.isWritable(Path.of(dir))) {
      throw RedisOpsException.refused(
          "data directory " + dir + " is not writable; run the restore as its owner");
    }
    ServerIdentity identity = ServerIdentity.of(server);
    boolean relaxed =
        identity.isValkey()
            && redis.configGet("rdb-version-check").orElse("strict").equalsIgnoreCase("relaxed");
    String exe = server.getOrDefault("executable", "");
    String executable = !exe.isEmpty() && Files.isExecutable(Path.of(exe)) ? exe : null;
    return new RestoreTarget(
        address,
        server.getOrDefault("redis_version", "?"),
        pid,
        config.toString(),
        dir,
        dbfilename,
        appenddirname,
        aofOn,
        aofInFile,
        supervisedBy,
        pidfile,
        logfile,
        identity.engine(),
        identity.version(),
        executable,
        relaxed,
        redis.configGet("appendfilename").orElse("appendonly.aof"));
  }

  /**
   * Refuses a backup this Redis cannot load, or a disk that cannot hold what the restore writes.
   */
  static void checkBackup(RestoreTarget t, Manifest m, DiskSpace disk) {
    Optional<String> cannot = RdbCompatibility.refusal(t.identity(), m, t.rdbVersionCheckRelaxed());
    if (cannot.isPresent()) {
      throw RedisOpsException.refused(
          "backup "
              + m.id()
              + " is "
              + m.rdbFormat()
              + " (RDB version "
              + m.rdbVersion()
              + ", from "
              + (m.source() == null ? "?" : m.source().describe())
              + "), but "
              + cannot.get()
              + " (the target at "
              + t.address()
              + "); nothing was changed; restore into a server that loads it (point --redis or the dataset at it) or upgrade"
              + " the target");
    }
    // The RDB is written next to the current files (the quarantine is a rename: no extra room), and
    // an AOF rewrite
    // writes a new base about as large again.
    long need = m.rawSize() * (t.aofOn() ? 2 : 1) + DISK_MARGIN;
    long free;
    try {
      free = disk.usable(t.dirPath());
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the free space of " + t.dir() + ": " + e.getMessage(), e);
    }
    if (free < need) {
      throw RedisOpsException.refused(
          "not enough disk in "
              + t.dir()
              + ": the restore needs "
              + Sizes.human(need)
              + " (RDB "
              + Sizes.human(m.rawSize())
              + (t.aofOn() ? " plus the AOF rewrite" : "")
              + "), "
              + Sizes.human(free)
              + " are free; free some space first");
    }
  }

  private static void checkSame(
      Optional<String> inFile, Path runtime, String key, Path config, String address) {
    if (inFile.isEmpty()) {
      return;
    }
    Path p = Path.of(inFile.get());
    Path resolved = p.isAbsolute() ? p.normalize() : null;
    if (resolved == null
        ? !(inFile.get().equals(".") || inFile.get().equals("./"))
        : !resolved.equals(runtime.normalize())) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " runs with "
              + key
              + " "
              + runtime
              + " but "
              + config
              + " says '"
              + inFile.get()
              + "': after a restart it would look elsewhere; make them agree first");
    }
  }

  private static void checkSameName(
      Optional<String> inFile, String runtime, String key, Path config, String address) {
    if (inFile.isPresent() && !inFile.get().equals(runtime)) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " runs with "
              + key
              + " "
              + runtime
              + " but "
              + config
              + " says '"
              + inFile.get()
              + "': after a restart it would look elsewhere; make them agree first");
    }
  }
}

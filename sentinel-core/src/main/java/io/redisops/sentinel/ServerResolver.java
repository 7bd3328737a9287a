package io.redisops.sentinel;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.ThisHost;
import java.time.Clock;

/**
 * Which server of a Sentinel-monitored dataset a one-off command works on, from the sentinels'
 * current view: a backup takes the {@link BackupFrom} choice (the daemon's rule), a restore and the
 * AOF tools take the master, which must run on this host (they work on its files).
 */
public final class ServerResolver {
  private final SentinelClient client;
  private final TopologyReader reader;

  public ServerResolver(SentinelClient client, SentinelTarget target, Clock clock) {
    this.client = client;
    this.reader = new TopologyReader(client, target, clock);
  }

  /**
   * The server chosen.
   *
   * @param masterName the monitored name
   * @param role {@code master} or {@code replica}
   * @param address where the sentinels say it is
   * @param endpoint how to connect to it: the dataset's own {@code redis.uri} when it is that
   *     server (the sentinels may announce another address for it), else the announced address with
   *     the dataset's login
   * @param onThisHost it runs on this machine (its files can be read here)
   * @param configEpoch the epoch of the view it was chosen from
   * @param rule why this one ({@code backup-from replica}, {@code the current master})
   */
  public record Chosen(
      String masterName,
      String role,
      String address,
      RedisEndpoint endpoint,
      boolean onThisHost,
      long configEpoch,
      String rule) {

    /** One line for the operator. */
    public String describe() {
      return "the sentinels' view of '"
          + masterName
          + "' (config epoch "
          + configEpoch
          + ") names the "
          + role
          + " "
          + address
          + " ("
          + rule
          + ")"
          + (onThisHost ? "" : ", not on this host");
    }
  }

  /**
   * The server a backup is taken from: {@code from}'s choice in the current view.
   *
   * @param local the dataset's {@code redis.uri}
   * @throws RedisOpsException FAILED when the view cannot be trusted or no server is fit
   */
  public Chosen forBackup(BackupFrom from, RedisEndpoint local) {
    Topology t = trusted();
    Topology.Instance source =
        from.choose(t)
            .orElseThrow(
                () ->
                    RedisOpsException.failed(
                        "no healthy server to back up in '"
                            + t.masterName()
                            + "': master "
                            + t.master().address()
                            + " is "
                            + t.master().state()
                            + " and no replica is linked; try again after the failover"));
    String role = source.equals(t.master()) ? "master" : "replica";
    return chosen(t, source, role, "backup-from " + from.id(), local);
  }

  /**
   * The current master, for a command that works on its files.
   *
   * @param local the dataset's {@code redis.uri}
   * @param what the command, for the refusal ("restore")
   * @throws RedisOpsException FAILED when the view cannot be trusted; REFUSED when the master does
   *     not run on this host
   */
  public Chosen master(RedisEndpoint local, String what) {
    Topology t = trusted();
    Chosen c = chosen(t, t.master(), "master", "the current master", local);
    if (!c.onThisHost()) {
      throw RedisOpsException.refused(
          what
              + " works on the files of the master, and the current master of '"
              + t.masterName()
              + "' is "
              + c.address()
              + " (config epoch "
              + t.configEpoch()
              + "), not on this host; run it on that host, or give --redis URI for a server of"
              + " this host");
    }
    return c;
  }

  private Topology trusted() {
    Topology t;
    try {
      t = reader.read(false);
    } catch (RedisOpsException e) {
      if (e.exitCode() == io.redisops.error.ExitCode.NOT_FOUND) {
        throw e;
      }
      throw RedisOpsException.failed(
          e.getMessage() + "; or give --redis URI to choose the server yourself");
    }
    if (t.stale()) {
      throw RedisOpsException.failed(
          "the sentinels' view of '"
              + t.masterName()
              + "' cannot be trusted ("
              + t.staleReason()
              + "); give --redis URI to choose the server yourself");
    }
    return t;
  }

  private Chosen chosen(
      Topology t, Topology.Instance server, String role, String rule, RedisEndpoint local) {
    boolean isLocal = sameServer(client, server, local);
    RedisEndpoint endpoint =
        isLocal ? local : reader.target().redisAt(server.host(), server.port());
    return new Chosen(
        t.masterName(),
        role,
        server.address(),
        endpoint,
        isLocal || ThisHost.owns(server.host()),
        t.configEpoch(),
        rule);
  }

  /**
   * Whether {@code server} is the Redis at {@code local}: the same address, or (when the sentinels
   * report another name or address for it) the same run id. The daemon's test of "this host's
   * Redis".
   */
  public static boolean sameServer(
      SentinelClient client, Topology.Instance server, RedisEndpoint local) {
    if (local == null) {
      return false;
    }
    if (server.port() == local.port()
        && TopologyReader.canonicalHost(server.host())
            .equals(TopologyReader.canonicalHost(local.host()))) {
      return true;
    }
    if (server.runId() == null) {
      return false;
    }
    try {
      String runId = client.withRedis(local, c -> InfoParser.parse(c.info("server")).get("run_id"));
      return server.runId().equals(runId);
    } catch (RuntimeException e) {
      return false; // the local Redis does not answer: it is not that server
    }
  }
}

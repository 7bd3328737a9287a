package io.redisops.recovery.aof;

import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The state one plan's steps share while it runs: what was found, what was done so far. Not thread-safe. */
public final class AofRun {
  final RedisEndpoint endpoint;
  final AofChecker checker;
  final RedisServerControl control;
  final AofLocation location;
  final AofReport before;
  RedisSession session;
  RedisServerControl.ServerFacts facts;
  Path quarantine;
  List<Path> quarantined = List.of();
  AofReport after;
  boolean stopped;
  boolean changed;
  long startedPid = -1;
  long keysAfter = -1;
  final List<String> done = new ArrayList<>();
  Consumer<String> progress = s -> { };

  AofRun(RedisEndpoint endpoint, AofChecker checker, RedisServerControl control, AofLocation location, AofReport before,
      RedisSession session, RedisServerControl.ServerFacts facts) {
    this.endpoint = endpoint;
    this.checker = checker;
    this.control = control;
    this.location = location;
    this.before = before;
    this.session = session;
    this.facts = facts;
  }

  void closeSession() {
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException ignored) {
        // the server is gone (SHUTDOWN): nothing left to release that matters
      }
      session = null;
    }
  }
}

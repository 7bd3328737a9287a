/**
 * Access to one Redis or Valkey server: endpoints and TLS, connections through Lettuce, INFO
 * parsing and the server's identity (engine, version). Everything that talks to Redis outside the
 * replication stream goes through here.
 */
package io.redisops.redis;

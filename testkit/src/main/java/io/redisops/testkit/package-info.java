/**
 * Test-only support: real {@code redis-server}, {@code redis-sentinel} and S3 servers for tests,
 * never mocks.
 *
 * <ul>
 *   <li>{@link io.redisops.testkit.RedisServer}, {@link io.redisops.testkit.RedisSentinel}, {@link
 *       io.redisops.testkit.RedisGroup}, {@link io.redisops.testkit.S3ProxyServer}: the servers
 *       themselves, usable from any code ({@code try (RedisServer r =
 *       RedisServer.builder().start()) {...}}).
 *   <li>{@link io.redisops.testkit.RedisServerExtension}, {@link
 *       io.redisops.testkit.RedisGroupExtension}, {@link io.redisops.testkit.S3ProxyExtension}:
 *       JUnit 5 extensions for {@code @RegisterExtension} fields; static field = one per class,
 *       instance field = one per test; stopped also when tests fail, with log tails on {@code
 *       System.err} for failed tests.
 *   <li>{@link io.redisops.testkit.Await}: poll a condition with a deadline instead of sleeping.
 *   <li>{@link io.redisops.testkit.ProcessRegistry}: kills any started process still alive when the
 *       JVM exits.
 * </ul>
 *
 * Every server listens on 127.0.0.1 on a free port (never 6379 or 26379) and works in its own
 * folder.
 */
package io.redisops.testkit;

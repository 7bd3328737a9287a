/**
 * The {@code redis-ops} command line (picocli): one class per subcommand, each parsing its options
 * and calling one service; exit codes, consent and JSON output are handled in one place.
 */
package io.redisops.cli;

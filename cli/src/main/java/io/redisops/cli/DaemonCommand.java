package io.redisops.cli;

import io.redisops.backup.service.BackupContext;
import io.redisops.config.Settings;
import io.redisops.schedules.Daemon;
import io.redisops.schedules.status.StatusRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code redis-ops daemon}: run the schedules until SIGTERM or SIGINT. */
@Command(
    name = "daemon",
    description =
        "Run the backup schedules (hourly, daily, retention) until stopped by SIGTERM/SIGINT.")
final class DaemonCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    CommandContext ctx = new CommandContext(spec);
    Settings settings = ctx.settings();
    BackupContext backups = ctx.backupContext();
    StatusRegistry status = new StatusRegistry();
    Daemon daemon = new Daemon(settings, backups, status);
    CountDownLatch stop = new CountDownLatch(1);
    // Our own handlers: the JVM's default would exit with 143 and run no orderly stop; an
    // operator's
    // `systemctl stop` must end with a finished or cleanly abandoned capture and exit 0.
    Signals.onStop(stop::countDown);
    daemon.start();
    ctx.err().flush();
    stop.await();
    daemon.stop(settings.schedule().stopGrace());
    return 0;
  }
}

package dev.jbuild.cli;

import dev.jbuild.layercache.store.DiskUsage;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.VolumeRecord;
import dev.jbuild.runner.container.Volumes;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild system df}, {@code info}, {@code reset}, {@code migrate} and {@code prune} (the
 * same as {@code jbuild prune}).
 */
@Command(
    name = "system",
    mixinStandardHelpOptions = true,
    description = "Store-wide commands.",
    subcommands = {
      SystemCommand.Df.class,
      PruneCommand.class,
      SystemInfo.class,
      SystemReset.class,
      SystemMigrate.class
    })
public final class SystemCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  /** {@code jbuild system df}: what uses the store's space and what prune would free. */
  @Command(
      name = "df",
      mixinStandardHelpOptions = true,
      description = "Show the store's disk usage and what 'jbuild prune' would reclaim.")
  public static final class Df implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DiskUsage du;
      long[] volumes = new long[4]; // total, active, size, reclaimable
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        du = store.gc().df();
        var users = Containers.volumeUsers(store);
        Volumes all = Volumes.open(store);
        for (VolumeRecord v : all.list()) {
          long size = all.size(v);
          boolean active = users.containsKey(v.name());
          volumes[0]++;
          volumes[1] += active ? 1 : 0;
          volumes[2] += size;
          volumes[3] += active ? 0 : size;
        }
      }
      Formats.Table t = new Formats.Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
      for (DiskUsage.Row r :
          List.of(du.images(), du.layers(), du.buildCache(), du.unreferenced())) {
        long pct = r.size() == 0 ? 0 : Math.round(100.0 * r.reclaimable() / r.size());
        t.row(
            r.type(),
            Integer.toString(r.total()),
            Integer.toString(r.active()),
            Formats.size(r.size()),
            Formats.size(r.reclaimable()) + " (" + pct + "%)");
      }
      long pct = volumes[2] == 0 ? 0 : Math.round(100.0 * volumes[3] / volumes[2]);
      t.row(
          "Local Volumes",
          Long.toString(volumes[0]),
          Long.toString(volumes[1]),
          Formats.size(volumes[2]),
          Formats.size(volumes[3]) + " (" + pct + "%)");
      PrintWriter out = spec.commandLine().getOut();
      t.print(out);
      return ExitCodes.OK;
    }
  }
}

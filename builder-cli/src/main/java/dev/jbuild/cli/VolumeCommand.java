package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.VolumeRecord;
import dev.jbuild.runner.container.Volumes;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild volume create/ls/inspect/rm/prune}: the store's volumes, as {@code docker volume}
 * (runner's {@code Volumes}).
 */
@Command(
    name = "volume",
    mixinStandardHelpOptions = true,
    description = "Manage volumes (kept in the store; containers mount them with -v NAME:/path).",
    subcommands = {
      VolumeCommand.Create.class,
      VolumeCommand.Ls.class,
      VolumeCommand.Inspect.class,
      VolumeCommand.Rm.class,
      VolumeCommand.Prune.class
    })
public final class VolumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  /** What a volume subcommand does with the store's containers and volumes open. */
  interface Body {
    int run(Containers containers, Volumes volumes, PrintWriter out, PrintWriter err)
        throws IOException;
  }

  static int withVolumes(CommandSpec spec, Body body) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      Containers containers = Containers.open(store, null);
      return body.run(containers, containers.volumes(), out, err);
    } catch (RunnerException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static Map<String, String> labels(List<String> labels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      out.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
    }
    return out;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--label", paramLabel = "K=V", description = "Set a label on the volume.")
    List<String> labels = new ArrayList<>();

    @Option(
        names = {"-d", "--driver"},
        paramLabel = "DRIVER",
        description = "Volume driver: only local.")
    String driver = "local";

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Name (default: random).")
    String name;

    @Override
    public Integer call() throws Exception {
      if (!driver.equals("local")) {
        throw new UserException(
            ExitCodes.USAGE, "unsupported volume driver \"" + driver + "\": only local");
      }
      if (name != null && !Volumes.validName(name)) {
        throw new UserException(
            ExitCodes.USAGE, dev.jbuild.runner.RunnerErrors.invalidVolumeName(name).getMessage());
      }
      return withVolumes(
          spec,
          (c, v, out, err) -> {
            VolumeRecord r = v.create(name, labels(labels));
            out.println(r.name());
            return ExitCodes.OK;
          });
    }
  }

  @Command(
      name = "ls",
      aliases = "list",
      mixinStandardHelpOptions = true,
      description = "List volumes.")
  static final class Ls implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-q", "--quiet"},
        description = "Only names.")
    boolean quiet;

    @Option(
        names = {"-f", "--filter"},
        paramLabel = "K=V",
        description = "dangling=true|false, name=SUBSTRING, label=KEY[=VALUE]")
    List<String> filters = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      return withVolumes(
          spec,
          (c, v, out, err) -> {
            Map<String, List<String>> users = c.volumeUsers();
            Formats.Table t = new Formats.Table("DRIVER", "VOLUME NAME");
            for (VolumeRecord r : v.list()) {
              if (!matches(r, users)) {
                continue;
              }
              if (quiet) {
                out.println(r.name());
              } else {
                t.row("local", r.name());
              }
            }
            if (!quiet) {
              t.print(out);
            }
            return ExitCodes.OK;
          });
    }

    private boolean matches(VolumeRecord r, Map<String, List<String>> users) {
      for (String f : filters) {
        int eq = f.indexOf('=');
        String key = eq < 0 ? f : f.substring(0, eq);
        String value = eq < 0 ? "" : f.substring(eq + 1);
        boolean ok =
            switch (key) {
              case "dangling" -> {
                if (!value.equals("true") && !value.equals("false")) {
                  throw new UserException(
                      ExitCodes.USAGE, "invalid filter dangling=" + value + ": use true or false");
                }
                yield users.containsKey(r.name()) != value.equals("true");
              }
              case "name" -> r.name().contains(value);
              case "label" -> {
                int e2 = value.indexOf('=');
                yield e2 < 0
                    ? r.labels().containsKey(value)
                    : value.substring(e2 + 1).equals(r.labels().get(value.substring(0, e2)));
              }
              default ->
                  throw new UserException(
                      ExitCodes.USAGE,
                      "unsupported filter \"" + f + "\" (supported: dangling=, name=, label=)");
            };
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Show volumes as JSON (docker volume inspect's shape).")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "VOLUME")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      return withVolumes(
          spec,
          (c, v, out, err) -> {
            List<Json> found = new ArrayList<>();
            int rc = ExitCodes.OK;
            for (String n : names) {
              var r = v.find(n);
              if (r.isPresent()) {
                found.add(r.get().inspect());
              } else {
                err.println("jbuild: no such volume: " + n);
                rc = ExitCodes.FAILED;
              }
            }
            out.println(new JsonArray(found).toPrettyString());
            return rc;
          });
    }
  }

  @Command(
      name = "rm",
      aliases = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove volumes (one a container uses, even a stopped one, is refused).")
  static final class Rm implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-f", "--force"},
        description = "No error for a volume that does not exist.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "VOLUME")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      return withVolumes(
          spec,
          (c, v, out, err) -> {
            int rc = ExitCodes.OK;
            for (String n : names) {
              try (Volumes.Lock _ = v.lock()) {
                if (force && v.find(n).isEmpty()) {
                  out.println(n);
                  continue;
                }
                v.remove(n, c.volumeUsers());
                out.println(n);
              } catch (RunnerException e) {
                err.println("jbuild: " + e.getMessage());
                rc = ExitCodes.FAILED;
              }
            }
            return rc;
          });
    }
  }

  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = "Remove unused anonymous volumes (-a: unused named ones too).")
  static final class Prune implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-a", "--all"},
        description = "Also named volumes no container uses.")
    boolean all;

    @Option(
        names = {"-f", "--force"},
        description = "Do not ask for confirmation (jbuild never asks).")
    boolean force;

    @Override
    public Integer call() throws Exception {
      return withVolumes(
          spec,
          (c, v, out, err) -> {
            Map<VolumeRecord, Long> removed;
            try (Volumes.Lock _ = v.lock()) {
              removed = v.prune(all, c.volumeUsers());
            }
            long total = 0;
            if (!removed.isEmpty()) {
              out.println("Deleted Volumes:");
            }
            for (var e : removed.entrySet()) {
              out.println(e.getKey().name());
              total += e.getValue();
            }
            if (!removed.isEmpty()) {
              out.println();
            }
            out.println("Total reclaimed space: " + Formats.size(total));
            return ExitCodes.OK;
          });
    }
  }
}

package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.NetworkRecord;
import dev.jbuild.runner.container.Volumes;
import dev.jbuild.runner.container.WiringRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild network create/ls/inspect/rm/connect/disconnect/prune}: user networks, where
 * containers reach each other by name (runner's {@code Networks}).
 */
@Command(
    name = "network",
    mixinStandardHelpOptions = true,
    description = "Manage user networks (containers on one reach each other by name).",
    subcommands = {
      NetworkCommand.Create.class,
      NetworkCommand.Ls.class,
      NetworkCommand.Inspect.class,
      NetworkCommand.Rm.class,
      NetworkCommand.Connect.class,
      NetworkCommand.Disconnect.class,
      NetworkCommand.Prune.class
    })
public final class NetworkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  interface Body {
    int run(Containers containers, PrintWriter out, PrintWriter err) throws IOException;
  }

  static int with(CommandSpec spec, Body body) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      return body.run(Containers.open(store, null), out, err);
    } catch (RunnerException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** A user network in the shape of {@code docker network inspect} (its running members too). */
  public static JsonObject describe(Containers c, NetworkRecord n) throws IOException {
    JsonObject.Builder members = JsonObject.builder();
    for (ContainerState s : c.list()) {
      if (!s.isRunning()) {
        continue;
      }
      for (WiringRecord.Endpoint e : c.wiring(s.record().id()).networks()) {
        if (e.network().equals(n.name())) {
          members.put(
              s.record().id(),
              JsonObject.builder()
                  .put("Name", s.record().name())
                  .put("IPv4Address", e.ip() + "/16")
                  .put("Aliases", Json.ofStrings(e.aliases()))
                  .build());
        }
      }
    }
    return JsonObject.builder()
        .put("Name", n.name())
        .put("Id", n.id())
        .put("Created", n.created().toString())
        .put("Scope", "local")
        .put("Driver", "bridge")
        .put(
            "IPAM",
            JsonObject.builder()
                .put("Driver", "default")
                .put(
                    "Config",
                    JsonArray.of(
                        JsonObject.builder()
                            .put("Subnet", n.subnet())
                            .put("Gateway", n.gateway())
                            .build()))
                .build())
        .put("Containers", members.build())
        .put("Labels", Json.ofStringMap(new java.util.TreeMap<>(n.labels())))
        .build();
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a network.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--label", paramLabel = "K=V", description = "Set a label.")
    List<String> labels = new ArrayList<>();

    @Option(
        names = {"-d", "--driver"},
        paramLabel = "DRIVER",
        description = "bridge (the only one).")
    String driver = "bridge";

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      if (!driver.equals("bridge")) {
        throw new UserException(
            ExitCodes.USAGE, "unsupported network driver \"" + driver + "\": only bridge");
      }
      return with(
          spec,
          (c, out, err) -> {
            try (Volumes.Lock _ = c.volumes().lock()) {
              out.println(c.networks().create(name, VolumeCommand.labels(labels)).id());
            }
            return ExitCodes.OK;
          });
    }
  }

  @Command(
      name = "ls",
      aliases = "list",
      mixinStandardHelpOptions = true,
      description = "List networks.")
  static final class Ls implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-q", "--quiet"},
        description = "Only IDs.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Full IDs.")
    boolean noTrunc;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            Formats.Table t = new Formats.Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
            for (NetworkRecord n : c.networks().list()) {
              String id = noTrunc ? n.id() : n.id().substring(0, 12);
              if (quiet) {
                out.println(id);
              } else {
                t.row(id, n.name(), "bridge", "local");
              }
            }
            if (!quiet) {
              t.print(out);
            }
            return ExitCodes.OK;
          });
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Show networks as JSON (docker network inspect's shape).")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NETWORK")
    List<String> refs;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            List<Json> found = new ArrayList<>();
            int rc = ExitCodes.OK;
            for (String ref : refs) {
              var n = c.networks().find(ref);
              if (n.isEmpty()) {
                err.println("jbuild: network " + ref + " not found");
                rc = ExitCodes.FAILED;
                continue;
              }
              found.add(describe(c, n.get()));
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
      description = "Remove networks (not while a running container is on one).")
  static final class Rm implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NETWORK")
    List<String> refs;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            int rc = ExitCodes.OK;
            for (String ref : refs) {
              try (Volumes.Lock _ = c.volumes().lock()) {
                c.networks().remove(ref, c.networkUsers());
                out.println(ref);
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
      name = "connect",
      mixinStandardHelpOptions = true,
      description = "Connect a running container to a network.")
  static final class Connect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--alias", paramLabel = "NAME", description = "Another name there.")
    List<String> aliases = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            c.connect(network, container, aliases);
            return ExitCodes.OK;
          });
    }
  }

  @Command(
      name = "disconnect",
      mixinStandardHelpOptions = true,
      description = "Disconnect a container from a network.")
  static final class Disconnect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-f", "--force"},
        description = "Accepted for docker's command line.")
    boolean force;

    @Parameters(index = "0", paramLabel = "NETWORK")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            c.disconnect(network, container);
            return ExitCodes.OK;
          });
    }
  }

  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = "Remove networks no running container is on.")
  static final class Prune implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-f", "--force"},
        description = "Do not ask for confirmation (jbuild never asks).")
    boolean force;

    @Override
    public Integer call() throws Exception {
      return with(
          spec,
          (c, out, err) -> {
            List<String> removed = new ArrayList<>();
            try (Volumes.Lock _ = c.volumes().lock()) {
              Map<String, List<String>> users = c.networkUsers();
              for (NetworkRecord n : c.networks().list()) {
                if (!users.containsKey(n.name())) {
                  c.networks().remove(n.name(), users);
                  removed.add(n.name());
                }
              }
            }
            if (!removed.isEmpty()) {
              out.println("Deleted Networks:");
              removed.forEach(out::println);
            }
            return ExitCodes.OK;
          });
    }
  }
}

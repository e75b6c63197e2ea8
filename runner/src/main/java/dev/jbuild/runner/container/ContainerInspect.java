package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.runc.OciRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jbuild container inspect}: a container in the shape of {@code docker container inspect}
 * (Id, Created, Path, Args, State, Image, Name, RestartCount, LogPath, HostConfig, Mounts, Config,
 * NetworkSettings), from its record, its run state, its settings and its bundle's config.json.
 */
final class ContainerInspect {
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private ContainerInspect() {}

  static JsonObject of(ContainerState s, Path cdir, OciRuntime rt, Path logFile)
      throws IOException {
    ContainerRecord r = s.record();
    HostConfig hc = Containers.hostConfig(cdir);
    JsonObject spec = readJson(cdir.resolve("config.json"));
    JsonObject process = spec.object("process") == null ? JsonObject.EMPTY : spec.object("process");
    List<String> args = process.strings("args") == null ? r.command() : process.strings("args");
    RunState run = s.run();
    String status =
        switch (s.status()) {
          case CREATED -> "created";
          case RUNNING -> "running";
          case PAUSED -> "paused";
          case RESTARTING -> "restarting";
          case EXITED -> "exited";
          case DEAD -> "dead";
        };
    long pid = s.isRunning() ? Math.max(0, rt.pid(r.id())) : 0;
    JsonObject.Builder state =
        JsonObject.builder()
            .put("Status", status)
            .put(
                "Running",
                s.status() == ContainerState.Status.RUNNING
                    || s.status() == ContainerState.Status.PAUSED)
            .put("Paused", s.status() == ContainerState.Status.PAUSED)
            .put("Restarting", s.status() == ContainerState.Status.RESTARTING)
            .put("OOMKilled", false)
            .put("Dead", s.status() == ContainerState.Status.DEAD)
            .put("Pid", pid)
            .put("ExitCode", s.status() == ContainerState.Status.EXITED ? s.exitCode() : 0)
            .put("Error", error(cdir))
            .put("StartedAt", run == null ? ZERO_TIME : run.startedAt().toString())
            .put("FinishedAt", s.finished() == null ? ZERO_TIME : s.finished().toString());
    if (run != null && !run.health().isEmpty()) {
      state.put(
          "Health",
          JsonObject.builder()
              .put("Status", run.health())
              .put("FailingStreak", run.failingStreak())
              .put("Log", new JsonArray(List.copyOf(run.healthLog())))
              .build());
    }
    JsonObject user = process.object("user");
    String hostname = spec.string("hostname", "");
    JsonObject.Builder config =
        JsonObject.builder()
            .put("Hostname", hostname)
            .put("User", user == null ? "" : userOf(user))
            .put("Tty", Boolean.TRUE.equals(process.bool("terminal")))
            .put("OpenStdin", TtyConsole.Settings.read(cdir).openStdin())
            .put("StdinOnce", TtyConsole.Settings.read(cdir).stdinOnce())
            .put(
                "Env",
                Json.ofStrings(process.strings("env") == null ? List.of() : process.strings("env")))
            .put("Cmd", Json.ofStrings(args))
            .put("Image", r.image())
            .put("WorkingDir", process.string("cwd", "/"))
            .put("StopSignal", r.stopSignal());
    if (r.stopTimeout() != null) {
      config.put("StopTimeout", r.stopTimeout());
    }
    List<Json> mounts = new ArrayList<>();
    if (spec.array("mounts") != null) {
      for (Json j : spec.array("mounts").elements()) {
        if (j instanceof JsonObject m
            && "bind".equals(m.string("type", ""))
            && !m.string("source", "").startsWith(cdir.toString())) {
          List<String> options = m.strings("options") == null ? List.of() : m.strings("options");
          mounts.add(
              JsonObject.builder()
                  .put("Type", "bind")
                  .put("Source", m.string("source", ""))
                  .put("Destination", m.string("destination", ""))
                  .put("Mode", options.contains("ro") ? "ro" : "")
                  .put("RW", !options.contains("ro"))
                  .put("Propagation", "rprivate")
                  .build());
        }
      }
    }
    boolean privateNet = hc.networkMode().equals("default");
    JsonObject network =
        JsonObject.builder()
            .put("SandboxKey", privateNet ? cdir.resolve(UserNetwork.NETNS).toString() : "")
            .put("IPAddress", privateNet && s.isRunning() ? UserNetwork.ADDRESS : "")
            .put("IPPrefixLen", privateNet && s.isRunning() ? 24 : 0)
            .put("Gateway", privateNet && s.isRunning() ? UserNetwork.GATEWAY : "")
            .put("Ports", JsonObject.EMPTY)
            .build();
    return JsonObject.builder()
        .put("Id", r.id())
        .put("Created", r.created().toString())
        .put("Path", args.isEmpty() ? "" : args.getFirst())
        .put("Args", Json.ofStrings(args.isEmpty() ? List.of() : args.subList(1, args.size())))
        .put("State", state.build())
        .put("Image", r.manifest().toString())
        .put("ResolvConfPath", cdir.resolve("etc").resolve("resolv.conf").toString())
        .put("HostnamePath", "")
        .put("HostsPath", cdir.resolve("etc").resolve("hosts").toString())
        .put("LogPath", logFile.toString())
        .put("Name", "/" + r.name())
        .put("RestartCount", run == null ? 0 : run.restartCount())
        .put("Driver", "overlay")
        .put("Platform", "linux")
        .put("HostConfig", hc.toJson().toBuilder().put("AutoRemove", r.autoRemove()).build())
        .put("Mounts", new JsonArray(mounts))
        .put("Config", config.build())
        .put("NetworkSettings", network)
        .build();
  }

  private static String userOf(JsonObject user) {
    Long uid = user.longValue("uid");
    Long gid = user.longValue("gid");
    return (uid == null ? 0 : uid) + ":" + (gid == null ? 0 : gid);
  }

  private static String error(Path cdir) throws IOException {
    try {
      return Files.readString(cdir.resolve(ContainerMonitor.ERROR)).strip();
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  private static JsonObject readJson(Path file) throws IOException {
    try {
      return Json.parseObject(Files.readAllBytes(file));
    } catch (NoSuchFileException | IllegalArgumentException e) {
      return JsonObject.EMPTY;
    }
  }

  static String now() {
    return Instant.now().toString();
  }
}

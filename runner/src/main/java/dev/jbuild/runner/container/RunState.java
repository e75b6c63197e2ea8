package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a started container's current run stands, in {@code state.json} (written by jbuild when it
 * starts the container, then by its monitor): when it started, how often its restart policy
 * restarted it, whether it waits to restart, the last exit code, and its health.
 *
 * @param restarting the monitor waits to start it again (restart policy)
 * @param lastExitCode the exit code of the previous run (-1: none yet)
 * @param health the healthcheck's status ("starting", "healthy", "unhealthy"; "" without one)
 * @param failingStreak consecutive failed health probes
 * @param healthLog the last probes' results ({@code Start}, {@code End}, {@code ExitCode}, {@code
 *     Output}), newest last, as Docker's {@code State.Health.Log}
 */
public record RunState(
    Instant startedAt,
    int restartCount,
    boolean restarting,
    int lastExitCode,
    Instant lastExitAt,
    String health,
    int failingStreak,
    java.util.List<JsonObject> healthLog) {
  static final String FILE = "state.json";

  public RunState {
    health = health == null ? "" : health;
    healthLog = healthLog == null ? java.util.List.of() : java.util.List.copyOf(healthLog);
  }

  static RunState started(Instant at, int restartCount) {
    return new RunState(at, restartCount, false, -1, null, "", 0, null);
  }

  RunState withRestarting(int exitCode, Instant at) {
    return new RunState(
        startedAt, restartCount, true, exitCode, at, health, failingStreak, healthLog);
  }

  RunState withHealth(String status, int streak, java.util.List<JsonObject> log) {
    return new RunState(
        startedAt, restartCount, restarting, lastExitCode, lastExitAt, status, streak, log);
  }

  JsonObject toJson() {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("StartedAt", startedAt.toString())
            .put("RestartCount", restartCount)
            .put("Restarting", restarting)
            .put("LastExitCode", lastExitCode)
            .put("Health", health)
            .put("FailingStreak", failingStreak)
            .put(
                "HealthLog",
                new dev.jbuild.layercache.json.JsonArray(java.util.List.copyOf(healthLog)));
    if (lastExitAt != null) {
      b.put("LastExitAt", lastExitAt.toString());
    }
    return b.build();
  }

  static RunState fromJson(JsonObject o) {
    Long rc = o.longValue("RestartCount");
    Long last = o.longValue("LastExitCode");
    Long streak = o.longValue("FailingStreak");
    String lastAt = o.string("LastExitAt", null);
    java.util.List<JsonObject> log = new java.util.ArrayList<>();
    if (o.array("HealthLog") != null) {
      for (Json j : o.array("HealthLog").elements()) {
        if (j instanceof JsonObject e) {
          log.add(e);
        }
      }
    }
    return new RunState(
        Instant.parse(o.string("StartedAt")),
        rc == null ? 0 : rc.intValue(),
        Boolean.TRUE.equals(o.bool("Restarting")),
        last == null ? -1 : last.intValue(),
        lastAt == null ? null : Instant.parse(lastAt),
        o.string("Health", ""),
        streak == null ? 0 : streak.intValue(),
        log);
  }

  static Optional<RunState> read(Path cdir) throws IOException {
    try {
      return Optional.of(
          fromJson(Json.parseObject(java.nio.file.Files.readAllBytes(cdir.resolve(FILE)))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  void write(Path cdir) throws IOException {
    AtomicFiles.write(cdir.resolve(FILE), toJson().toBytes());
  }
}

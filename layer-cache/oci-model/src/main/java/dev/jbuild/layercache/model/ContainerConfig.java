package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code config} member of an image config: what a container started from the image gets (User,
 * Env, Entrypoint, Cmd, WorkingDir, Labels, ExposedPorts, Volumes, StopSignal, Healthcheck, Shell,
 * OnBuild, ArgsEscaped, and Docker's other members).
 *
 * <p>Backed by its JSON object: an absent member, a JSON {@code null} and an empty array stay three
 * different things ({@code ENTRYPOINT []} is not "no entrypoint"), key order and unknown members
 * survive. Accessors return null for absent or null members; {@link #has(String)} tells them apart.
 * The compact constructor checks the type of every known member, so a malformed config fails when
 * it is read, naming the member.
 */
public record ContainerConfig(JsonObject json) {
  public static final ContainerConfig EMPTY = new ContainerConfig(JsonObject.EMPTY);

  public ContainerConfig {
    Objects.requireNonNull(json, "json");
    json.string("User");
    json.strings("Env");
    json.strings("Entrypoint");
    json.strings("Cmd");
    json.string("WorkingDir");
    json.stringMap("Labels");
    json.object("ExposedPorts");
    json.object("Volumes");
    json.string("StopSignal");
    json.bool("ArgsEscaped");
    json.strings("Shell");
    json.strings("OnBuild");
    JsonObject hc = json.object("Healthcheck");
    if (hc != null) {
      new HealthConfig(hc);
    }
  }

  /** True when the member is present (possibly JSON null). */
  public boolean has(String member) {
    return json.has(member);
  }

  public String user() {
    return json.string("User");
  }

  /** Env as {@code K=V} strings, or null. */
  public List<String> env() {
    return json.strings("Env");
  }

  /** The value of one environment variable, or null. */
  public String envValue(String name) {
    List<String> env = env();
    if (env == null) {
      return null;
    }
    for (String e : env) {
      int eq = e.indexOf('=');
      String k = eq < 0 ? e : e.substring(0, eq);
      if (k.equals(name)) {
        return eq < 0 ? "" : e.substring(eq + 1);
      }
    }
    return null;
  }

  public List<String> entrypoint() {
    return json.strings("Entrypoint");
  }

  public List<String> cmd() {
    return json.strings("Cmd");
  }

  public String workingDir() {
    return json.string("WorkingDir");
  }

  public Map<String, String> labels() {
    return json.stringMap("Labels");
  }

  /** Exposed ports such as {@code 80/tcp}, or null. */
  public Set<String> exposedPorts() {
    JsonObject o = json.object("ExposedPorts");
    return o == null ? null : o.keys();
  }

  public Set<String> volumes() {
    JsonObject o = json.object("Volumes");
    return o == null ? null : o.keys();
  }

  public String stopSignal() {
    return json.string("StopSignal");
  }

  public Boolean argsEscaped() {
    return json.bool("ArgsEscaped");
  }

  public HealthConfig healthcheck() {
    JsonObject o = json.object("Healthcheck");
    return o == null ? null : new HealthConfig(o);
  }

  public List<String> shell() {
    return json.strings("Shell");
  }

  public List<String> onBuild() {
    return json.strings("OnBuild");
  }

  /** A copy with the member set to {@code value} (kept in place when present). */
  public ContainerConfig with(String member, Json value) {
    return new ContainerConfig(json.with(member, value));
  }

  /** A copy without the member. */
  public ContainerConfig without(String member) {
    return new ContainerConfig(json.without(member));
  }

  public ContainerConfig withUser(String user) {
    return with("User", Json.ofNullable(user));
  }

  /** Sets {@code name=value}: an existing variable is replaced in place, a new one appended. */
  public ContainerConfig withEnv(String name, String value) {
    List<String> env = env() == null ? new ArrayList<>() : new ArrayList<>(env());
    String entry = name + "=" + value;
    boolean replaced = false;
    for (int i = 0; i < env.size(); i++) {
      String e = env.get(i);
      int eq = e.indexOf('=');
      if ((eq < 0 ? e : e.substring(0, eq)).equals(name)) {
        env.set(i, entry);
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      env.add(entry);
    }
    return with("Env", Json.ofStrings(env));
  }

  /** Replaces the whole Env list (null writes JSON null). */
  public ContainerConfig withEnv(List<String> env) {
    return with("Env", Json.ofStrings(env));
  }

  /** Sets Entrypoint; an empty list stays empty, null writes JSON null. */
  public ContainerConfig withEntrypoint(List<String> entrypoint) {
    return with("Entrypoint", Json.ofStrings(entrypoint));
  }

  /** Sets Cmd; an empty list stays empty, null writes JSON null. */
  public ContainerConfig withCmd(List<String> cmd) {
    return with("Cmd", Json.ofStrings(cmd));
  }

  public ContainerConfig withWorkingDir(String dir) {
    return with("WorkingDir", Json.ofNullable(dir));
  }

  public ContainerConfig withLabel(String key, String value) {
    JsonObject labels = json.object("Labels");
    return with("Labels", (labels == null ? JsonObject.EMPTY : labels).with(key, value));
  }

  /** Adds an exposed port; a bare number means tcp ({@code 80} -> {@code 80/tcp}). */
  public ContainerConfig withExposedPort(String port) {
    String p = port.contains("/") ? port : port + "/tcp";
    JsonObject ports = json.object("ExposedPorts");
    return with(
        "ExposedPorts", (ports == null ? JsonObject.EMPTY : ports).with(p, JsonObject.EMPTY));
  }

  public ContainerConfig withVolume(String path) {
    JsonObject volumes = json.object("Volumes");
    return with(
        "Volumes", (volumes == null ? JsonObject.EMPTY : volumes).with(path, JsonObject.EMPTY));
  }

  public ContainerConfig withStopSignal(String signal) {
    return with("StopSignal", Json.ofNullable(signal));
  }

  public ContainerConfig withArgsEscaped(Boolean escaped) {
    return escaped == null ? without("ArgsEscaped") : with("ArgsEscaped", Json.of(escaped));
  }

  public ContainerConfig withHealthcheck(HealthConfig healthcheck) {
    return with("Healthcheck", healthcheck == null ? JsonNull.INSTANCE : healthcheck.json());
  }

  public ContainerConfig withShell(List<String> shell) {
    return with("Shell", Json.ofStrings(shell));
  }

  /** Replaces OnBuild (null writes JSON null). */
  public ContainerConfig withOnBuild(List<String> onBuild) {
    return with("OnBuild", Json.ofStrings(onBuild));
  }

  /** Appends one ONBUILD trigger. */
  public ContainerConfig withAddedOnBuild(String trigger) {
    List<String> list = onBuild() == null ? new ArrayList<>() : new ArrayList<>(onBuild());
    list.add(trigger);
    return withOnBuild(list);
  }
}

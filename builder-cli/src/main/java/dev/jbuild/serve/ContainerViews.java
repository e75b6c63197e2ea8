package dev.jbuild.serve;

import dev.jbuild.cli.PsCommand;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.container.ContainerRecord;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.PortMapping;
import dev.jbuild.runner.container.WiringRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Containers in docker's shapes: {@code GET /containers/json} rows and the inspect document. */
final class ContainerViews {
  private ContainerViews() {}

  /** docker's State string: created, running, paused, restarting, exited, dead. */
  static String state(ContainerState s) {
    return s.status().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** One row of {@code GET /containers/json}. */
  static JsonObject row(Containers containers, ContainerState s, Instant now, AutoRemovals auto)
      throws IOException {
    ContainerRecord r = s.record();
    WiringRecord w = containers.wiring(r.id());
    List<Json> ports = new ArrayList<>();
    for (PortMapping p : w.ports()) {
      ports.add(
          JsonObject.builder()
              .put("IP", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp())
              .put("PrivatePort", p.containerPort())
              .put("PublicPort", p.hostPort())
              .put("Type", p.protocol())
              .build());
    }
    List<Json> mounts = new ArrayList<>();
    for (WiringRecord.UsedVolume v : w.volumes()) {
      mounts.add(
          JsonObject.builder()
              .put("Type", "volume")
              .put("Name", v.name())
              .put("Destination", v.target())
              .put("Driver", "local")
              .put("RW", !v.readOnly())
              .build());
    }
    JsonObject.Builder nets = JsonObject.builder();
    for (WiringRecord.Endpoint e : w.networks()) {
      nets.put(
          e.network(),
          JsonObject.builder()
              .put("IPAddress", e.ip())
              .put("Aliases", Json.ofStrings(e.aliases()))
              .build());
    }
    return JsonObject.builder()
        .put("Id", r.id())
        .put("Names", Json.ofStrings(List.of("/" + r.name())))
        .put("Image", r.image())
        .put("ImageID", r.manifest().toString())
        .put("Command", String.join(" ", r.command()))
        .put("Created", r.created().getEpochSecond())
        .put("Ports", new JsonArray(ports))
        .put("Labels", Json.ofStringMap(containers.labels(r.id())))
        .put("State", state(s))
        .put("Status", PsCommand.status(s, now))
        .put(
            "HostConfig",
            JsonObject.builder()
                .put(
                    "NetworkMode",
                    w.networks().isEmpty() ? "default" : w.networks().getFirst().network())
                .build())
        .put("NetworkSettings", JsonObject.builder().put("Networks", nets.build()).build())
        .put("Mounts", new JsonArray(mounts))
        .build();
  }

  /**
   * Whether a container passes {@code filters} (docker's JSON map of lists): id, name, status,
   * exited, ancestor; another key is a 400.
   */
  static boolean matches(Containers containers, ContainerState s, Map<String, List<String>> filters)
      throws ApiException, IOException {
    ContainerRecord r = s.record();
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      if (f.getKey().equals("label")) {
        if (!Filters.labelsMatch(containers.labels(r.id()), f.getValue())) {
          return false;
        }
        continue;
      }
      boolean any = false;
      for (String v : f.getValue()) {
        any |=
            switch (f.getKey()) {
              case "id" -> r.id().startsWith(v);
              case "name" -> r.name().contains(v.startsWith("/") ? v.substring(1) : v);
              case "status" -> state(s).equals(v);
              case "exited" ->
                  s.status() == ContainerState.Status.EXITED
                      && Integer.toString(s.exitCode()).equals(v);
              case "ancestor" -> r.image().equals(v) || r.manifest().toString().equals(v);
              default ->
                  throw ApiException.badRequest(
                      "invalid filter '"
                          + f.getKey()
                          + "' (jbuild: id, name, status, exited, ancestor, label)");
            };
      }
      if (!any && !f.getValue().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The runner's inspect document with what the daemon adds: AutoRemove, the networks. */
  static JsonObject inspect(Containers containers, String ref, AutoRemovals auto)
      throws IOException {
    JsonObject doc = containers.inspect(ref);
    String id = doc.string("Id");
    JsonObject hc = doc.object("HostConfig");
    if (hc != null && auto.marked(id)) {
      doc = doc.with("HostConfig", hc.with("AutoRemove", dev.jbuild.layercache.json.JsonBool.TRUE));
    }
    JsonObject config = doc.object("Config");
    if (config != null) {
      doc = doc.with("Config", config.with("Labels", Json.ofStringMap(containers.labels(id))));
    }
    WiringRecord w = containers.wiring(id);
    JsonObject ns = doc.object("NetworkSettings");
    if (ns != null) {
      JsonObject.Builder nets = JsonObject.builder();
      for (WiringRecord.Endpoint e : w.networks()) {
        nets.put(
            e.network(),
            JsonObject.builder()
                .put("Aliases", Json.ofStrings(e.aliases()))
                .put("IPAddress", e.ip())
                .put("IPPrefixLen", 16)
                .build());
      }
      JsonObject.Builder ports = JsonObject.builder();
      for (PortMapping p : w.ports()) {
        ports.put(
            p.containerPort() + "/" + p.protocol(),
            JsonArray.of(
                JsonObject.builder()
                    .put("HostIp", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp())
                    .put("HostPort", Integer.toString(p.hostPort()))
                    .build()));
      }
      doc =
          doc.with(
              "NetworkSettings", ns.with("Networks", nets.build()).with("Ports", ports.build()));
    }
    return doc;
  }
}

package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a container was wired to, as resolved when it was created: the volumes it mounts (so a
 * volume in use is not removed, and {@code rm -v} knows its anonymous ones) and its published ports
 * with the host ports chosen. Kept in {@code wiring.json} in the container's directory, beside
 * {@code container.json}.
 */
public record WiringRecord(
    List<UsedVolume> volumes, List<PortMapping> ports, List<Endpoint> networks) {
  static final String FILE = "wiring.json";
  public static final WiringRecord EMPTY = new WiringRecord(List.of(), List.of(), List.of());

  public WiringRecord {
    volumes = List.copyOf(volumes);
    ports = List.copyOf(ports);
    networks = List.copyOf(networks);
  }

  public WiringRecord(List<UsedVolume> volumes, List<PortMapping> ports) {
    this(volumes, ports, List.of());
  }

  /** The container on user network {@code network}: its address there and its aliases. */
  public record Endpoint(String network, String ip, List<String> aliases) {
    public Endpoint {
      aliases = List.copyOf(aliases);
    }
  }

  WiringRecord withNetworks(List<Endpoint> newNetworks) {
    return new WiringRecord(volumes, ports, newNetworks);
  }

  /** A volume a container mounts. */
  public record UsedVolume(String name, String target, boolean readOnly, boolean anonymous) {}

  WiringRecord withPorts(List<PortMapping> newPorts) {
    return new WiringRecord(volumes, newPorts, networks);
  }

  JsonObject toJson() {
    List<Json> vs = new ArrayList<>();
    for (UsedVolume v : volumes) {
      vs.add(
          JsonObject.builder()
              .put("name", v.name())
              .put("target", v.target())
              .put("readOnly", v.readOnly())
              .put("anonymous", v.anonymous())
              .build());
    }
    List<Json> ps = new ArrayList<>();
    for (PortMapping p : ports) {
      ps.add(
          JsonObject.builder()
              .put("hostIp", p.hostIp())
              .put("hostPort", p.hostPort())
              .put("containerPort", p.containerPort())
              .put("protocol", p.protocol())
              .build());
    }
    List<Json> ns = new ArrayList<>();
    for (Endpoint e : networks) {
      ns.add(
          JsonObject.builder()
              .put("network", e.network())
              .put("ip", e.ip())
              .put("aliases", Json.ofStrings(e.aliases()))
              .build());
    }
    return JsonObject.builder()
        .put("volumes", new JsonArray(vs))
        .put("ports", new JsonArray(ps))
        .put("networks", new JsonArray(ns))
        .build();
  }

  static WiringRecord fromJson(JsonObject o) {
    List<UsedVolume> vs = new ArrayList<>();
    JsonArray va = o.array("volumes");
    if (va != null) {
      for (Json j : va.elements()) {
        JsonObject v = (JsonObject) j;
        vs.add(
            new UsedVolume(
                v.string("name"),
                v.string("target"),
                Boolean.TRUE.equals(v.bool("readOnly")),
                Boolean.TRUE.equals(v.bool("anonymous"))));
      }
    }
    List<PortMapping> ps = new ArrayList<>();
    JsonArray pa = o.array("ports");
    if (pa != null) {
      for (Json j : pa.elements()) {
        JsonObject p = (JsonObject) j;
        ps.add(
            new PortMapping(
                p.string("hostIp"),
                p.longValue("hostPort").intValue(),
                p.longValue("containerPort").intValue(),
                p.string("protocol")));
      }
    }
    List<Endpoint> ns = new ArrayList<>();
    JsonArray na = o.array("networks");
    if (na != null) {
      for (Json j : na.elements()) {
        JsonObject e = (JsonObject) j;
        ns.add(new Endpoint(e.string("network"), e.string("ip"), e.strings("aliases")));
      }
    }
    return new WiringRecord(vs, ps, ns);
  }

  /** The wiring of the container in {@code cdir}; EMPTY when it has none (or is gone). */
  static WiringRecord read(Path cdir) throws IOException {
    try {
      return fromJson(Json.parseObject(Files.readAllBytes(cdir.resolve(FILE))));
    } catch (NoSuchFileException e) {
      return EMPTY;
    } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
      return EMPTY;
    }
  }
}

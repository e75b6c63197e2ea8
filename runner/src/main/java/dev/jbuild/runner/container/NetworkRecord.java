package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user network ({@code jbuild network create}), kept in {@code
 * <store>/networks/<name>/network.json}.
 *
 * @param index the subnet: 172.(18+index).0.0/16, gateway .0.1 (inside the network's namespace)
 */
public record NetworkRecord(
    String name, String id, int index, Instant created, Map<String, String> labels) {
  public NetworkRecord {
    labels = Map.copyOf(labels);
  }

  public String subnet() {
    return "172." + (18 + index) + ".0.0/16";
  }

  public String gateway() {
    return "172." + (18 + index) + ".0.1";
  }

  /** The n-th container address (n from 2). */
  String address(int n) {
    return "172." + (18 + index) + "." + (n >> 8) + "." + (n & 0xff);
  }

  JsonObject toJson() {
    return JsonObject.builder()
        .put("name", name)
        .put("id", id)
        .put("index", index)
        .put("created", created.toString())
        .put("labels", Json.ofStringMap(new TreeMap<>(labels)))
        .build();
  }

  static NetworkRecord fromJson(JsonObject o) {
    return new NetworkRecord(
        o.string("name"),
        o.string("id"),
        o.longValue("index").intValue(),
        Instant.parse(o.string("created")),
        o.object("labels") == null ? Map.of() : o.stringMap("labels"));
  }
}

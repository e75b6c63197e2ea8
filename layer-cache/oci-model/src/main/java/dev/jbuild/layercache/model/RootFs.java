package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** An image config's {@code rootfs}: type "layers" and the diff IDs, base layer first. */
public record RootFs(String type, List<Digest> diffIds, JsonObject extra) {
  private static final Set<String> KNOWN = Set.of("type", "diff_ids");

  public RootFs {
    type = type == null ? "layers" : type;
    diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    extra = extra == null ? JsonObject.EMPTY : extra;
  }

  public static RootFs of(List<Digest> diffIds) {
    return new RootFs("layers", diffIds, null);
  }

  public RootFs withAddedDiffId(Digest diffId) {
    List<Digest> copy = new ArrayList<>(diffIds);
    copy.add(diffId);
    return new RootFs(type, copy, extra);
  }

  public static RootFs fromJson(JsonObject o) {
    List<String> ids = o.strings("diff_ids");
    List<Digest> digests = new ArrayList<>();
    if (ids != null) {
      for (int i = 0; i < ids.size(); i++) {
        try {
          digests.add(Digest.parse(ids.get(i)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("rootfs.diff_ids[" + i + "]: " + e.getMessage(), e);
        }
      }
    }
    return new RootFs(o.string("type"), digests, o.without(KNOWN));
  }

  public JsonObject toJson() {
    return JsonObject.builder()
        .put("type", type)
        .put(
            "diff_ids",
            new JsonArray(diffIds.stream().<Json>map(d -> new JsonString(d.toString())).toList()))
        .putAllAbsent(extra)
        .build();
  }
}

package dev.jbuild.serve;

import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.registry.Progress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pull's or push's blob transfers as docker's progress messages: {@code {"status": "Downloading",
 * "progressDetail": {"current": n, "total": m}, "id": "abc123"}}, then the final status of each
 * layer ({@code Pull complete}, {@code Already exists}, {@code Pushed}) and the lines about the
 * whole operation ({@code Digest: sha256:...}). Progress is sent at most every 512 KiB per layer.
 */
final class TransferProgress implements Progress {
  private static final long STEP = 512 * 1024;
  private final JsonStream out;
  private final Map<String, long[]> transfers = new ConcurrentHashMap<>(); // current, total, shown

  TransferProgress(JsonStream out) {
    this.out = out;
  }

  private static String layer(String id) {
    String s = id.startsWith("sha256:") ? id.substring(7) : id;
    return s.length() > 12 ? s.substring(0, 12) : s;
  }

  @Override
  public void start(String id, String action, long total) {
    transfers.put(id, new long[] {0, total, 0});
    out.write(
        JsonObject.builder()
            .put("status", action)
            .put("progressDetail", JsonObject.EMPTY)
            .put("id", layer(id))
            .build());
  }

  @Override
  public void advance(String id, long bytes) {
    long[] t = transfers.get(id);
    if (t == null) {
      return;
    }
    long current;
    synchronized (t) {
      t[0] += bytes;
      current = t[0];
      if (current - t[2] < STEP && (t[1] < 0 || current < t[1])) {
        return;
      }
      t[2] = current;
    }
    JsonObject.Builder detail = JsonObject.builder().put("current", current);
    if (t[1] >= 0) {
      detail.put("total", t[1]);
    }
    out.write(
        JsonObject.builder()
            .put("status", "Downloading")
            .put("progressDetail", detail.build())
            .put("id", layer(id))
            .build());
  }

  @Override
  public void done(String id, String status) {
    transfers.remove(id);
    out.write(
        JsonObject.builder()
            .put("status", status)
            .put("progressDetail", JsonObject.EMPTY)
            .put("id", layer(id))
            .build());
  }

  @Override
  public void message(String line) {
    out.status(line);
  }
}

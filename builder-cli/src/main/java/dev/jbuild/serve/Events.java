package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's event bus for {@code GET /events}: handlers publish what they did (container
 * create/start/die/destroy, image pull/tag/delete, volume and network create/destroy) in docker's
 * event shape; each subscriber gets a bounded queue, and a subscriber that does not keep up loses
 * events rather than holding the publisher.
 */
public final class Events {
  private final Set<BlockingQueue<Json>> subscribers = ConcurrentHashMap.newKeySet();

  /** The last events, for {@code since} (docker keeps a bounded backlog too). */
  private final java.util.ArrayDeque<Json> history = new java.util.ArrayDeque<>();

  private static final int HISTORY = 1024;

  /** Publishes one event: {@code type} container|image|volume|network, docker's action names. */
  public void publish(String type, String action, String id, Map<String, String> attributes) {
    long nanos = System.currentTimeMillis() * 1_000_000L;
    Map<String, Json> attrs = new LinkedHashMap<>();
    attributes.forEach((k, v) -> attrs.put(k, new JsonString(v)));
    JsonObject.Builder b = JsonObject.builder();
    if (type.equals("container") || type.equals("image")) {
      // the fields of docker's older event format, which its clients still read
      b.put("status", new JsonString(action)).put("id", new JsonString(id));
      String from = attributes.get("image");
      if (from != null) {
        b.put("from", new JsonString(from));
      }
    }
    b.put("Type", new JsonString(type))
        .put("Action", new JsonString(action))
        .put(
            "Actor",
            JsonObject.builder()
                .put("ID", new JsonString(id))
                .put("Attributes", new JsonObject(attrs))
                .build())
        .put("scope", new JsonString("local"))
        .put("time", JsonNumber.of(nanos / 1_000_000_000L))
        .put("timeNano", JsonNumber.of(nanos));
    Json event = b.build();
    synchronized (history) {
      if (history.size() == HISTORY) {
        history.removeFirst();
      }
      history.addLast(event);
    }
    for (BlockingQueue<Json> q : subscribers) {
      q.offer(event);
    }
  }

  /** A new subscription; {@link #unsubscribe} it when the client goes away. */
  public BlockingQueue<Json> subscribe() {
    BlockingQueue<Json> q = new ArrayBlockingQueue<>(1024);
    subscribers.add(q);
    return q;
  }

  /** The events still held, oldest first. */
  public java.util.List<Json> history() {
    synchronized (history) {
      return java.util.List.copyOf(history);
    }
  }

  public void unsubscribe(BlockingQueue<Json> q) {
    subscribers.remove(q);
  }
}

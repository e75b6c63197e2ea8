package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.time.Instant;
import java.util.Set;

/**
 * One entry of an image config's history. {@code emptyLayer} is null when absent (which means
 * false); unknown members are kept in {@code extra}.
 */
public record History(
    String created,
    String createdBy,
    String author,
    String comment,
    Boolean emptyLayer,
    JsonObject extra) {

  private static final Set<String> KNOWN =
      Set.of("created", "created_by", "author", "comment", "empty_layer");

  public History {
    extra = extra == null ? JsonObject.EMPTY : extra;
    Timestamps.parse(created); // validates
  }

  /** A history entry for a step. */
  public static History of(Instant created, String createdBy, String comment, boolean emptyLayer) {
    return new History(
        created == null ? null : Timestamps.format(created),
        createdBy,
        null,
        comment,
        emptyLayer ? Boolean.TRUE : null,
        null);
  }

  /** True when this entry produced no layer. */
  public boolean isEmptyLayer() {
    return Boolean.TRUE.equals(emptyLayer);
  }

  public Instant createdInstant() {
    return Timestamps.parseOrNull(created);
  }

  public History withCreated(String newCreated) {
    return new History(newCreated, createdBy, author, comment, emptyLayer, extra);
  }

  public History withComment(String newComment) {
    return new History(created, createdBy, author, newComment, emptyLayer, extra);
  }

  public History withAuthor(String newAuthor) {
    return new History(created, createdBy, newAuthor, comment, emptyLayer, extra);
  }

  public static History fromJson(JsonObject o) {
    return new History(
        o.string("created"),
        o.string("created_by"),
        o.string("author"),
        o.string("comment"),
        o.bool("empty_layer"),
        o.without(KNOWN));
  }

  public JsonObject toJson() {
    return JsonObject.builder()
        .putIfNotNull("created", created)
        .putIfNotNull("created_by", createdBy)
        .putIfNotNull("author", author)
        .putIfNotNull("comment", comment)
        .putIfNotNull("empty_layer", emptyLayer == null ? null : Json.of(emptyLayer.booleanValue()))
        .putAllAbsent(extra)
        .build();
  }
}

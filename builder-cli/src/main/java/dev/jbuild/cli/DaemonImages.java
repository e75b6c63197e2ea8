package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Timestamps;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image commands' logic as the daemon's API needs it (docker's JSON shapes): the same finder,
 * store calls and rules as {@code images}, {@code inspect}, {@code history}, {@code tag} and {@code
 * rmi}. Errors are {@link UserException}s with the commands' exit codes (the daemon maps them to
 * HTTP statuses).
 */
public final class DaemonImages {
  private DaemonImages() {}

  /**
   * {@code GET /images/json}: docker's ImageSummary per image, newest first. {@code dangling} null:
   * both; {@code references} docker's reference globs; {@code labels} KEY or KEY=VALUE.
   */
  public static JsonArray list(
      Store store, Boolean dangling, List<String> references, List<String> labels)
      throws IOException {
    List<PathMatcher> refs = new ArrayList<>();
    for (String r : references) {
      refs.add(glob(r));
    }
    record Row(Instant created, Json json) {}
    List<Row> rows = new ArrayList<>();
    for (ImageFinder.Found f : new ImageFinder(store).all()) {
      boolean isDangling = f.tags().isEmpty();
      if (dangling != null && dangling != isDangling) {
        continue;
      }
      if (!refs.isEmpty() && f.tags().stream().noneMatch(t -> matches(refs, t))) {
        continue;
      }
      Map<String, String> imageLabels = labels(f);
      if (!labelsMatch(labels, imageLabels)) {
        continue;
      }
      List<Json> tags = new ArrayList<>();
      List<Json> digests = new ArrayList<>();
      for (String t : f.tags()) {
        tags.add(new JsonString(ImageFinder.familiar(t)));
        String repo = ImageFinder.repoAndTag(t)[0];
        String d = repo + "@" + f.entry().digest();
        if (!digests.contains(new JsonString(d))) {
          digests.add(new JsonString(d));
        }
      }
      if (tags.isEmpty()) {
        tags.add(new JsonString("<none>:<none>"));
        digests.add(new JsonString("<none>@<none>"));
      }
      Instant created = created(f);
      rows.add(
          new Row(
              created,
              JsonObject.builder()
                  .put("Containers", -1)
                  .put("Created", created == null ? 0 : created.getEpochSecond())
                  .put("Id", f.id().toString())
                  .put(
                      "Labels",
                      imageLabels.isEmpty() ? JsonNull.INSTANCE : Json.ofStringMap(imageLabels))
                  .put("ParentId", "")
                  .put("RepoDigests", new JsonArray(digests))
                  .put("RepoTags", new JsonArray(tags))
                  .put("SharedSize", -1)
                  .put("Size", f.size())
                  .put("VirtualSize", f.size())
                  .build()));
    }
    rows.sort(
        Comparator.comparing((Row r) -> r.created() == null ? Instant.MIN : r.created())
            .reversed());
    return new JsonArray(rows.stream().map(Row::json).toList());
  }

  private static boolean matches(List<PathMatcher> refs, String refName) {
    String[] rt = ImageFinder.repoAndTag(refName);
    Path full = Path.of(rt[0] + ":" + rt[1]);
    Path repo = Path.of(rt[0]);
    return refs.stream().anyMatch(m -> m.matches(full) || m.matches(repo));
  }

  private static boolean labelsMatch(List<String> wanted, Map<String, String> have) {
    for (String l : wanted) {
      int eq = l.indexOf('=');
      String key = eq < 0 ? l : l.substring(0, eq);
      if (!have.containsKey(key) || eq >= 0 && !l.substring(eq + 1).equals(have.get(key))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> labels(ImageFinder.Found f) {
    if (f.image() == null || f.image().config().config() == null) {
      return Map.of();
    }
    Map<String, String> l = f.image().config().config().json().stringMap("Labels");
    return l == null ? Map.of() : l;
  }

  private static Instant created(ImageFinder.Found f) {
    Instant newest = null;
    List<Image> images = f.isIndex() ? f.platforms() : List.of(f.image());
    for (Image i : images) {
      Instant c = Timestamps.parseOrNull(i.config().created());
      if (c != null && (newest == null || c.isAfter(newest))) {
        newest = c;
      }
    }
    return newest;
  }

  private static PathMatcher glob(String pattern) {
    try {
      return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, "invalid reference format: " + pattern);
    }
  }

  /** {@code GET /images/{name}/json}: docker's image inspect document. */
  public static JsonObject inspect(Store store, String name) throws IOException {
    ImageFinder.Found f = new ImageFinder(store).find(name);
    Image image = f.imageFor(null, name);
    JsonObject doc = InspectCommand.describe(f, image);
    return doc.toBuilder()
        .put("Container", "")
        .put("DockerVersion", "")
        .put("VirtualSize", image.size())
        .put(
            "GraphDriver",
            JsonObject.builder().put("Name", "overlayfs").put("Data", JsonNull.INSTANCE).build())
        .build();
  }

  /** The image's ID ({@code sha256:...}) for a name, an ID or a prefix of one. */
  public static String id(Store store, String name) throws IOException {
    return new ImageFinder(store).find(name).id().toString();
  }

  /** {@code GET /images/{name}/history}: newest first, docker's HistoryResponseItem. */
  public static JsonArray history(Store store, String name) throws IOException {
    ImageFinder.Found f = new ImageFinder(store).find(name);
    Image img = f.imageFor(null, name);
    List<History> history = img.config().historyOrEmpty();
    List<Descriptor> layers = img.manifest().layers();
    List<Json> forward = new ArrayList<>();
    int layer = 0;
    for (History h : history) {
      long size = 0;
      if (!h.isEmptyLayer() && layer < layers.size()) {
        size = LayerContentSize.of(store, layers.get(layer++));
      }
      Instant created = h.createdInstant();
      forward.add(
          JsonObject.builder()
              .put("Id", "<missing>")
              .put("Created", created == null ? 0 : created.getEpochSecond())
              .put("CreatedBy", h.createdBy() == null ? "" : h.createdBy())
              .put("Tags", JsonNull.INSTANCE)
              .put("Size", size)
              .put("Comment", h.comment() == null ? "" : h.comment())
              .build());
    }
    List<Json> out = new ArrayList<>();
    for (int i = forward.size() - 1; i >= 0; i--) {
      out.add(forward.get(i));
    }
    if (!out.isEmpty()) {
      JsonObject top = (JsonObject) out.getFirst();
      List<Json> tags = new ArrayList<>();
      f.tags().forEach(t -> tags.add(new JsonString(ImageFinder.familiar(t))));
      out.set(
          0,
          top.with("Id", f.id().toString())
              .with("Tags", tags.isEmpty() ? JsonNull.INSTANCE : new JsonArray(tags)));
    }
    return new JsonArray(out);
  }

  /** {@code POST /images/{name}/tag}: {@code repo} with {@code tag} (default latest). */
  public static void tag(Store store, String source, String repo, String tag) throws IOException {
    String target = tag == null || tag.isEmpty() ? repo : repo + ":" + tag;
    ImageReference ref;
    try {
      ref = ImageReference.parse(target);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, "invalid reference format: " + e.getMessage());
    }
    if (ref.digest() != null) {
      throw new UserException(ExitCodes.USAGE, "refusing to create a tag with a digest reference");
    }
    ImageFinder.Found found = new ImageFinder(store).find(source);
    store.images().tag(target, found.entry());
  }

  /**
   * {@code DELETE /images/{name}}: docker's list of {@code {"Untagged": name}} and {@code
   * {"Deleted": id}}. A name is untagged (the image goes with its last name); an ID removes the
   * image, which needs {@code force} when several names use it. ({@code noprune}: jbuild keeps no
   * parent images, so there is nothing else to prune.)
   */
  public static JsonArray remove(Store store, String name, boolean force) throws IOException {
    List<Json> out = new ArrayList<>();
    ImageFinder finder = new ImageFinder(store);
    Optional<Descriptor> byName = store.images().resolve(name);
    if (byName.isPresent() && byName.get().refName() != null) {
      ImageFinder.Found f;
      try {
        f = finder.find(name);
      } catch (UserException e) {
        if (e.exitCode() == ExitCodes.NOT_FOUND) {
          throw e;
        }
        f = null; // corrupt in the store: the name goes all the same
      }
      store.images().untag(byName.get().refName());
      out.add(untagged(byName.get().refName()));
      Digest manifest = byName.get().digest();
      if (f != null && store.images().list().stream().noneMatch(d -> d.digest().equals(manifest))) {
        out.add(JsonObject.builder().put("Deleted", f.id().toString()).build());
      }
      return new JsonArray(out);
    }
    ImageFinder.Found f = finder.tryFind(name).orElse(null);
    if (f == null) {
      throw new UserException(ExitCodes.NOT_FOUND, "No such image: " + name);
    }
    if (f.tags().size() > 1 && !force) {
      throw new UserException(
          ExitCodes.FAILED,
          "conflict: unable to delete "
              + f.id().shortHex()
              + " (must be forced) - image is referenced in multiple repositories");
    }
    store.images().remove(f.entry().digest());
    for (String t : f.tags()) {
      out.add(untagged(t));
    }
    out.add(JsonObject.builder().put("Deleted", f.id().toString()).build());
    return new JsonArray(out);
  }

  private static Json untagged(String refName) {
    return JsonObject.builder().put("Untagged", ImageFinder.familiar(refName)).build();
  }

  /** Names of the image (familiar form), for events and messages. */
  public static List<String> tags(Store store, String name) throws IOException {
    return new ImageFinder(store).find(name).tags().stream().map(ImageFinder::familiar).toList();
  }
}

package dev.jbuild.serve;

import dev.jbuild.cli.DaemonImages;
import dev.jbuild.cli.DaemonRegistry;
import dev.jbuild.cli.UserException;
import dev.jbuild.layercache.archive.ArchiveLoader;
import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API area of images: json, {name}/json, history, tag, DELETE, create (pull), push, get, load,
 * prune.
 */
final class ImageRoutes implements Routes {
  private final ServeContext context;

  ImageRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router.add("GET", "/images/json", this::list);
    router.add("POST", "/images/create", this::pull);
    router.add("GET", "/images/get", call -> save(call, call.queryAll("names")));
    router.add("POST", "/images/load", this::load);
    router.add("POST", "/images/prune", call -> Prunes.images(context, call));
    router.add("GET", "/images/{name:.*}/json", this::inspect);
    router.add("GET", "/images/{name:.*}/history", this::history);
    router.add("GET", "/images/{name:.*}/get", call -> save(call, List.of(call.param("name"))));
    router.add("POST", "/images/{name:.*}/tag", this::tag);
    router.add("POST", "/images/{name:.*}/push", this::push);
    router.add("DELETE", "/images/{name:.*}", this::remove);
  }

  private Store store() throws IOException {
    return Store.open(context.storeRoot());
  }

  private void list(ApiCall call) throws IOException, ApiException {
    Filters f = Filters.parse(call.query("filters"));
    f.allowOnly("dangling", "reference", "label");
    Boolean dangling = null;
    for (String v : f.values("dangling")) {
      if (!v.equalsIgnoreCase("true")
          && !v.equalsIgnoreCase("false")
          && !v.equals("1")
          && !v.equals("0")) {
        throw ApiException.badRequest("invalid filter 'dangling=" + v + "'");
      }
      dangling = v.equalsIgnoreCase("true") || v.equals("1");
    }
    // all: jbuild keeps no intermediate images, so every image is listed either way
    try (Store store = store()) {
      call.json(200, DaemonImages.list(store, dangling, f.values("reference"), f.values("label")));
    }
  }

  private void inspect(ApiCall call) throws IOException {
    try (Store store = store()) {
      call.json(200, DaemonImages.inspect(store, call.param("name")));
    }
  }

  private void history(ApiCall call) throws IOException {
    try (Store store = store()) {
      call.json(200, DaemonImages.history(store, call.param("name")));
    }
  }

  private void tag(ApiCall call) throws IOException, ApiException {
    String repo = call.query("repo");
    if (repo == null || repo.isEmpty()) {
      throw ApiException.badRequest("repository name must have at least one component");
    }
    try (Store store = store()) {
      String id = DaemonImages.id(store, call.param("name"));
      DaemonImages.tag(store, call.param("name"), repo, call.query("tag"));
      String tag = call.query("tag");
      String name = BuildRoutes.familiar(tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
      context.events().publish("image", "tag", id, Map.of("name", name));
    }
    call.json(201, JsonObject.EMPTY);
  }

  private void remove(ApiCall call) throws IOException {
    try (Store store = store()) {
      // noprune: jbuild keeps no parent images, there is nothing more to prune or keep
      JsonArray done = DaemonImages.remove(store, call.param("name"), call.flag("force"));
      for (var e : done.elements()) {
        JsonObject o = (JsonObject) e;
        if (o.has("Untagged")) {
          context
              .events()
              .publish(
                  "image", "untag", o.string("Untagged"), Map.of("name", o.string("Untagged")));
        } else {
          context
              .events()
              .publish("image", "delete", o.string("Deleted"), Map.of("name", o.string("Deleted")));
        }
      }
      call.json(200, done);
    }
  }

  private void pull(ApiCall call) throws IOException, ApiException {
    String fromSrc = call.query("fromSrc");
    if (fromSrc != null && !fromSrc.isEmpty()) {
      throw ApiException.notImplemented("importing a root file system (fromSrc) is not supported");
    }
    String image = call.query("fromImage");
    if (image == null || image.isEmpty()) {
      throw ApiException.badRequest("fromImage or fromSrc is required");
    }
    String tag = call.query("tag");
    String name = image;
    if (tag != null && !tag.isEmpty()) {
      name = image + (tag.startsWith("sha256:") ? "@" : ":") + tag;
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid reference format: " + name);
    }
    CredentialStore auth =
        RegistryAuth.fromAuthHeader(call.header("X-Registry-Auth"), ref.registry());
    JsonStream out = new JsonStream(call.stream(200, "application/json"));
    StringWriter log = new StringWriter();
    try (Store store = store();
        PrintWriter w = new PrintWriter(log)) {
      out.write(
          JsonObject.builder()
              .put("status", "Pulling from " + ref.familiarName())
              .put("id", ref.tagOrDigest())
              .build());
      DaemonRegistry.Pulled p =
          DaemonRegistry.pull(
              store,
              context.env(),
              auth,
              name,
              call.query("platform"),
              new TransferProgress(out),
              w);
      out.status("Digest: " + p.digest());
      out.status(
          (p.newer() ? "Status: Downloaded newer image for " : "Status: Image is up to date for ")
              + p.reference());
      context.events().publish("image", "pull", p.reference(), Map.of("name", p.reference()));
    } catch (UserException | IOException e) {
      out.error(RegistryAuth.forClient(e.getMessage()));
    }
    out.close();
  }

  private void push(ApiCall call) throws IOException, ApiException {
    String repo = call.param("name");
    ImageReference ref;
    try {
      ref = ImageReference.parse(repo);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid reference format: " + repo);
    }
    CredentialStore auth =
        RegistryAuth.fromAuthHeader(call.header("X-Registry-Auth"), ref.registry());
    JsonStream out = new JsonStream(call.stream(200, "application/json"));
    StringWriter log = new StringWriter();
    try (Store store = store();
        PrintWriter w = new PrintWriter(log)) {
      out.status("The push refers to repository [" + ref.familiarName() + "]");
      List<DaemonRegistry.Pushed> pushed =
          DaemonRegistry.push(
              store, context.env(), auth, repo, call.query("tag"), new TransferProgress(out), w);
      for (DaemonRegistry.Pushed p : pushed) {
        out.status(p.tag() + ": digest: " + p.digest() + " size: " + p.size());
        out.write(
            JsonObject.builder()
                .put("progressDetail", JsonObject.EMPTY)
                .put(
                    "aux",
                    JsonObject.builder()
                        .put("Tag", p.tag())
                        .put("Digest", p.digest())
                        .put("Size", p.size())
                        .build())
                .build());
        context
            .events()
            .publish(
                "image",
                "push",
                ref.familiarName() + ":" + p.tag(),
                Map.of("name", ref.familiarName() + ":" + p.tag()));
      }
    } catch (UserException | IOException e) {
      out.error(RegistryAuth.forClient(e.getMessage()));
    }
    out.close();
  }

  private void save(ApiCall call, List<String> names) throws IOException, ApiException {
    if (names.isEmpty()) {
      throw ApiException.badRequest("no image names given");
    }
    try (Store store = store();
        var _ = store.lockShared()) {
      List<TaggedImage> tagged = new ArrayList<>();
      for (String name : names) {
        String id = DaemonImages.id(store, name); // 404 before anything is streamed
        Descriptor d = store.images().resolve(name).orElse(null);
        if (d == null) {
          d = store.images().resolve(id).orElse(null);
        }
        if (d == null) {
          throw ApiException.notFound("No such image: " + name);
        }
        boolean byName = !name.contains("@") && !id.contains(name.replace("sha256:", ""));
        tagged.add(new TaggedImage(byName ? name : null, d.withAnnotations(null)));
      }
      OutputStream raw = call.stream(200, "application/x-tar");
      OutputStream out = new BufferedOutputStream(raw, 1 << 16);
      DockerArchive.write(store, tagged, out);
      out.flush();
      raw.close();
    }
  }

  private void load(ApiCall call) throws IOException, ApiException {
    try (Store store = store();
        var _ = store.lockShared()) {
      List<TaggedImage> loaded;
      try {
        loaded = ArchiveLoader.load(store, call.body(), "the request body");
      } catch (IOException e) {
        throw ApiException.badRequest("load failed: " + e.getMessage());
      }
      JsonStream out = new JsonStream(call.stream(200, "application/json"));
      for (TaggedImage t : loaded) {
        String line =
            t.name() != null
                ? "Loaded image: " + BuildRoutes.familiar(t.name())
                : "Loaded image ID: " + t.manifest().digest();
        // quiet hides progress bars only (dockerd's too): the loaded names are always said
        out.stream(line + "\n");
        context.events().publish("image", "load", t.manifest().digest().toString(), Map.of());
      }
      out.close();
    }
  }
}

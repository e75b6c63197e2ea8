package dev.jbuild.cli.registry;

import static dev.jbuild.cli.registry.MultiPlatformIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry serving an index that lists more manifests than jbuild accepts, or indexes nested
 * deeper than it follows: {@code pull --all-platforms} and {@code manifest add --all} refuse them
 * with one line naming the reference, and the store is left without a tag for them.
 */
class HostileIndexIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;
  private Map<String, String> env;
  private Descriptor image;

  /** One image pushed to the registry, what the hostile indexes list. */
  private void pushOneImage(String repo) throws Exception {
    env = Cli.env(tmp);
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "x\n");
    Path root = tmp.resolve("src");
    ok(Cli.withRoot(env, root, "build", "-q", "-t", "one:1", ctx.toString()));
    String ref = registry.host() + "/" + repo + ":one";
    ok(Cli.withRoot(env, root, "push", "one:1", ref));
    List<String> args = new ArrayList<>(List.of("inspect", "--raw"));
    args.addAll(registry.skopeoArgs(""));
    args.add("docker://" + ref);
    byte[] raw = Skopeo.run(args).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    JsonObject m = Json.parseObject(raw);
    image =
        Descriptor.of(m.string("mediaType"), Digest.sha256(raw), raw.length)
            .withPlatform(Platform.parse("linux/amd64"));
  }

  @Test
  void anIndexListingTooManyManifestsIsRefused() throws Exception {
    pushOneImage("hostile/many");
    List<Descriptor> many = Collections.nCopies(ImageIndex.MAX_MANIFESTS + 1, image);
    String ref = put("hostile/many", "1", ImageIndex.of(many).toBytes());
    Path root = tmp.resolve("many");
    var pull = Cli.withRoot(env, root, "pull", "--all-platforms", ref);
    assertEquals(5, pull.exit(), pull.err());
    assertTrue(
        pull.err().contains("lists 1025 manifests; jbuild accepts at most 1024"), pull.err());
    assertEquals(1, pull.err().strip().lines().count(), pull.err());
    assertEquals(1, ok(Cli.withRoot(env, root, "images")).out().lines().count());
    ok(Cli.withRoot(env, root, "manifest", "create", "l:1"));
    var add = Cli.withRoot(env, root, "manifest", "add", "--all", "l:1", ref);
    assertEquals(5, add.exit(), add.err());
    assertTrue(add.err().contains("jbuild accepts at most 1024"), add.err());
  }

  @Test
  void indexesNestedTooDeepAreRefused() throws Exception {
    pushOneImage("hostile/deep");
    byte[] level = ImageIndex.of(List.of(image)).toBytes();
    String ref = put("hostile/deep", "1", level);
    for (int depth = 2; depth <= ImageIndex.MAX_DEPTH + 1; depth++) {
      Descriptor below = Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256(level), level.length);
      level = ImageIndex.of(List.of(below)).toBytes();
      ref = put("hostile/deep", Integer.toString(depth), level);
    }
    Path root = tmp.resolve("deep");
    // the deepest allowed pulls
    String allowed = registry.host() + "/hostile/deep:" + ImageIndex.MAX_DEPTH;
    ok(Cli.withRoot(env, root, "pull", "--all-platforms", allowed));
    var pull = Cli.withRoot(env, root, "pull", "--all-platforms", ref);
    assertEquals(5, pull.exit(), pull.err());
    assertTrue(pull.err().contains("nested more than 4 deep"), pull.err());
    String images = ok(Cli.withRoot(env, root, "images")).out();
    assertEquals(2, images.lines().count(), images);
  }

  /** PUTs an OCI index into the registry; returns its reference. */
  private String put(String repo, String tag, byte[] bytes) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + repo + "/manifests/" + tag))
            .header("Content-Type", MediaTypes.OCI_INDEX)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    var response = registry.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(
        201,
        response.statusCode(),
        () -> response.body().substring(0, Math.min(500, response.body().length())));
    return registry.host() + "/" + repo + ":" + tag;
  }
}

package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's docker CLI against {@code jbuild serve}: pull from and push to a real registry ({@link
 * TestRegistry}), build with the classic builder's stream, images, inspect, rmi, save/load, two
 * builds at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeDockerIT {
  static String REGISTRY;
  static String BASE;

  @TempDir static Path tmp;
  static DaemonProcess daemon;
  static DockerCli docker;

  @BeforeAll
  static void start() throws IOException {
    REGISTRY = TestRegistry.host();
    BASE = TestRegistry.busybox();
    daemon = DaemonProcess.start(tmp);
    docker = new DockerCli(daemon, tmp);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  static Path context(String name, String dockerfile) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    Files.writeString(dir.resolve("a.txt"), "from the context " + name + "\n");
    return dir;
  }

  @Test
  @Order(1)
  void pullFromTheRegistry() throws IOException {
    DockerCli.Result r = docker.run("pull", BASE);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("Status: "), r.out());
    DockerCli.Result images = docker.run("images", "--format", "{{.Repository}}:{{.Tag}}");
    assertTrue(images.out().contains(REGISTRY + "/library/busybox:latest"), images.toString());
  }

  @Test
  @Order(2)
  void buildTagsAnImageThatImagesAndInspectShow() throws IOException {
    Path ctx =
        context(
            "app",
            "FROM "
                + BASE
                + "\nRUN echo built > /hello\nCOPY a.txt /a.txt\nLABEL org.test=serve\n");
    DockerCli.Result r =
        docker.run(ctx, Duration.ofMinutes(5), "build", "-t", "jbt-serve-app:1", ".");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("Step 2/4 : RUN echo built > /hello"), r.out());
    assertTrue(r.out().contains("Successfully built "), r.out());
    assertTrue(r.out().contains("Successfully tagged jbt-serve-app:1"), r.out());

    DockerCli.Result images = docker.run("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
    assertTrue(images.out().contains("jbt-serve-app:1 "), images.toString());

    DockerCli.Result inspect = docker.run("image", "inspect", "jbt-serve-app:1");
    assertEquals(0, inspect.exit(), inspect.toString());
    JsonObject doc = (JsonObject) ((JsonArray) Json.parse(inspect.out())).get(0);
    assertEquals("serve", doc.object("Config").stringMap("Labels").get("org.test"));
    assertTrue(doc.strings("RepoTags").contains("jbt-serve-app:1"), doc.toString());

    DockerCli.Result again =
        docker.run(ctx, Duration.ofMinutes(5), "build", "-t", "jbt-serve-app:1", ".");
    assertEquals(0, again.exit(), again.toString());
    assertTrue(again.out().contains("Using cache"), again.out());
    assertTrue(
        again.out().contains("Successfully built " + doc.string("Id").substring(7, 19)),
        again.out());
  }

  @Test
  @Order(3)
  void aFailingStepFailsTheClient() throws IOException {
    Path ctx = context("fails", "FROM " + BASE + "\nRUN echo about to fail; exit 3\n");
    DockerCli.Result r =
        docker.run(ctx, Duration.ofMinutes(5), "build", "-t", "jbt-serve-fails", ".");
    assertNotEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("about to fail"), r.toString());
    assertTrue(r.err().contains("exit") || r.err().contains("3"), r.toString());
  }

  @Test
  @Order(4)
  void twoBuildsAtOnceShareTheCache() throws Exception {
    Path a = context("par-a", "FROM " + BASE + "\nRUN echo shared > /s\nCOPY a.txt /a.txt\n");
    Path b = context("par-b", "FROM " + BASE + "\nRUN echo shared > /s\nCOPY a.txt /b.txt\n");
    CompletableFuture<DockerCli.Result> fa =
        CompletableFuture.supplyAsync(() -> build(a, "jbt-serve-par:a"));
    CompletableFuture<DockerCli.Result> fb =
        CompletableFuture.supplyAsync(() -> build(b, "jbt-serve-par:b"));
    DockerCli.Result ra = fa.get();
    DockerCli.Result rb = fb.get();
    assertEquals(0, ra.exit(), ra.toString());
    assertEquals(0, rb.exit(), rb.toString());
    // a third build of either is entirely cached
    DockerCli.Result again = build(a, "jbt-serve-par:a");
    assertEquals(0, again.exit(), again.toString());
    assertFalse(again.out().contains("shared\n"), again.out()); // the RUN did not run again
  }

  private static DockerCli.Result build(Path ctx, String tag) {
    try {
      return docker.run(ctx, Duration.ofMinutes(5), "build", "-t", tag, ".");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(5)
  void pushToTheRegistry() throws Exception {
    String repo = REGISTRY + "/jbt-serve/" + UUID.randomUUID().toString().substring(0, 8);
    DockerCli.Result tag = docker.run("tag", "jbt-serve-app:1", repo + ":v1");
    assertEquals(0, tag.exit(), tag.toString());
    DockerCli.Result push = docker.run("push", repo + ":v1");
    assertEquals(0, push.exit(), push.toString());
    assertTrue(push.out().contains("v1: digest: sha256:"), push.out());
    String path = repo.substring(REGISTRY.length());
    HttpResponse<String> tags =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + REGISTRY + "/v2" + path + "/tags/list"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, tags.statusCode(), tags.body());
    assertTrue(tags.body().contains("\"v1\""), tags.body());
  }

  @Test
  @Order(6)
  void saveLoadAndRmi() throws IOException {
    Path archive = tmp.resolve("app.tar");
    DockerCli.Result save = docker.run("save", "-o", archive.toString(), "jbt-serve-app:1");
    assertEquals(0, save.exit(), save.toString());
    assertTrue(Files.size(archive) > 1024);
    DockerCli.Result rmi = docker.run("rmi", "jbt-serve-app:1");
    assertEquals(0, rmi.exit(), rmi.toString());
    assertTrue(rmi.out().contains("Untagged: jbt-serve-app:1"), rmi.out());
    DockerCli.Result images = docker.run("images", "--format", "{{.Repository}}:{{.Tag}}");
    assertFalse(images.out().contains("jbt-serve-app:1"), images.out());
    DockerCli.Result missing = docker.run("image", "inspect", "jbt-serve-app:1");
    assertNotEquals(0, missing.exit());
    assertTrue(
        missing.err().contains("No such image") || missing.err().contains("no such image"),
        missing.toString());

    DockerCli.Result load = docker.run("load", "-i", archive.toString());
    assertEquals(0, load.exit(), load.toString());
    assertTrue(load.out().contains("Loaded image: jbt-serve-app:1"), load.out());
    DockerCli.Result history = docker.run("history", "jbt-serve-app:1");
    assertEquals(0, history.exit(), history.toString());
    assertTrue(history.out().contains("echo built"), history.out());
  }

  @Test
  @Order(7)
  void whatJbuildCannotDoIsRefused() throws IOException {
    ApiClient.Response r =
        daemon.client().post("/v1.41/build?squash=1&t=x", "application/x-tar", new byte[0]);
    assertEquals(501, r.status(), r.text());
    assertTrue(Json.parseObject(r.text()).string("message").contains("squash"), r.text());
  }

  @Test
  @Order(8)
  void eventsDfAndPrunes() throws IOException {
    long until = System.currentTimeMillis() / 1000 + 1;
    ApiClient.Response events =
        daemon
            .client()
            .get(
                "/v1.41/events?since=0&until="
                    + until
                    + "&filters="
                    + java.net.URLEncoder.encode(
                        "{\"type\":[\"image\"],\"event\":[\"tag\"]}",
                        java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(200, events.status(), events.text());
    assertTrue(events.text().contains("\"name\":\"jbt-serve-app:1\""), events.text());
    assertFalse(events.text().contains("\"Action\":\"pull\""), events.text());

    DockerCli.Result df = docker.run("system", "df");
    assertEquals(0, df.exit(), df.toString());
    assertTrue(df.out().contains("Images"), df.out());
    DockerCli.Result imagePrune = docker.run("image", "prune", "-f");
    assertEquals(0, imagePrune.exit(), imagePrune.toString());
    DockerCli.Result builderPrune = docker.run("builder", "prune", "-f");
    assertEquals(0, builderPrune.exit(), builderPrune.toString());
    DockerCli.Result images = docker.run("images");
    assertEquals(0, images.exit(), images.toString());
    assertTrue(images.out().contains("jbt-serve-app"), images.out()); // tagged images stay
    DockerCli.Result pruneAll = docker.run("image", "prune", "-a", "-f");
    assertNotEquals(0, pruneAll.exit(), pruneAll.toString()); // refused, never half done
  }
}

package dev.jbuild.cli.registry;

import static dev.jbuild.cli.registry.BuildOutputsIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: registry caches through registries that want credentials or TLS, as CI jobs meet them:
 * a {@code mode=max} cache exported to a basic-auth registry, a bearer-token registry and a TLS
 * registry whose CA comes from registries.json (each read back with skopeo), imported on fresh
 * stores with every step CACHED; an inline cache pushed with the image to an auth registry and read
 * back; without credentials the import is a warning and the export fails with exit 5.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheRegistriesIT {
  @AutoClose private final LocalRegistry plain = LocalRegistry.start();

  @AutoClose
  private final LocalRegistry basic =
      LocalRegistry.start(LocalRegistry.Options.plain().withAuth("alice", "s3cret"));

  @AutoClose
  private final LocalRegistry token =
      LocalRegistry.start(LocalRegistry.Options.plain().withTokenAuth("bob", "t0ken"));

  @AutoClose
  private final LocalRegistry tls = LocalRegistry.start(LocalRegistry.Options.plain().withTls());

  @TempDir Path tmp;
  private Map<String, String> env;
  private Path ctx;
  private int stores;

  private static final String DOCKERFILE =
      """
      FROM BASE AS build
      RUN echo built > /built.txt
      COPY hello.txt /src/hello.txt
      FROM BASE
      COPY --from=build /built.txt /built.txt
      RUN cat /built.txt > /copy.txt
      ENV A=1
      """;

  @BeforeAll
  void setUp(@TempDir Path dir) throws Exception {
    env = Cli.env(dir);
    Files.writeString(
        dir.resolve("registries.json"),
        "{\"registries\":{\""
            + tls.host()
            + "\":{\"ca\":\""
            + tls.caCertificate().orElseThrow()
            + "\"}}}");
    ok(Cli.run(env, "s3cret\n", "login", "-u", "alice", "--password-stdin", basic.host()));
    ok(Cli.run(env, "t0ken\n", "login", "-u", "bob", "--password-stdin", token.host()));
    String base = plain.serveBusyboxMulti(dir.resolve("bases")) + "busybox:latest";
    ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE.replace("BASE", base));
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
  }

  private Path fresh() {
    return tmp.resolve("store-" + (++stores));
  }

  private Cli.Result build(Map<String, String> env, Path root, String... options) {
    var all = new ArrayList<String>(List.of("build", "--progress", "plain"));
    all.addAll(List.of(options));
    all.add(ctx.toString());
    return Cli.withRoot(env, root, all.toArray(String[]::new));
  }

  /** Each non-FROM step's outcome: "stage text" -> CACHED or DONE. */
  private static Map<String, String> outcomes(String err) {
    Matcher m =
        Pattern.compile("^#\\d+ \\[(\\S+) \\d+/\\d+\\] (.*?) (CACHED|DONE .*)$", Pattern.MULTILINE)
            .matcher(err);
    Map<String, String> out = new LinkedHashMap<>();
    while (m.find()) {
      if (!m.group(2).startsWith("FROM ")) {
        out.put(m.group(1) + " " + m.group(2), m.group(3).startsWith("CACHED") ? "CACHED" : "DONE");
      }
    }
    return out;
  }

  private static void assertSteps(String err, String buildStage, String finalStage) {
    Map<String, String> o = outcomes(err);
    assertEquals(5, o.size(), err);
    o.forEach(
        (step, outcome) ->
            assertEquals(
                step.startsWith("build ") ? buildStage : finalStage, outcome, step + "\n" + err));
  }

  private JsonObject raw(LocalRegistry r, String ref, boolean config) {
    var args = new ArrayList<String>(List.of("inspect", "--raw"));
    if (config) {
      args.add("--config");
    }
    args.addAll(r.skopeoArgs(""));
    args.add("docker://" + ref);
    return Json.parseObject(Skopeo.run(args));
  }

  @Test
  void maxCachesThroughBasicAuthTokenAuthAndTls() {
    List<LocalRegistry> registries = List.of(basic, token, tls);
    var options = new ArrayList<String>();
    for (LocalRegistry r : registries) {
      options.add("--cache-to");
      options.add("type=registry,ref=" + r.host() + "/cache/app:max,mode=max");
    }
    var first = ok(build(env, fresh(), options.toArray(String[]::new)));
    assertSteps(first.err(), "DONE", "DONE");
    for (LocalRegistry r : registries) {
      String ref = r.host() + "/cache/app:max";
      assertTrue(first.err().contains("exported 5 cached steps to " + ref), first.err());
      // what skopeo reads with the registry's own credentials and CA
      JsonObject m = raw(r, ref, false);
      assertEquals(
          "application/vnd.jbuild.cache.config.v1+json",
          m.object("config").string("mediaType"),
          m.toString());
      // four layers, two of them equal (the RUN that wrote /built.txt, the COPY of it)
      assertEquals(3, m.array("layers").size(), m.toString());
      var again = ok(build(env, fresh(), "--cache-from", "type=registry,ref=" + ref));
      assertSteps(again.err(), "CACHED", "CACHED");
      assertTrue(
          again.err().contains("importing cache from " + ref + ": 5 new steps"), again.err());
    }
  }

  @Test
  void inlineCacheThroughAnAuthRegistry() {
    String app = basic.host() + "/app:inline";
    ok(build(env, fresh(), "--push", "-t", app, "--cache-to", "type=inline"));
    JsonObject config = raw(basic, app, true);
    JsonObject inline = config.object("jbuild.cache.v1");
    assertNotNull(inline, config.toString());
    assertEquals(3, inline.object("records").size(), inline.toString());
    var b = ok(build(env, fresh(), "--cache-from", app));
    assertSteps(b.err(), "DONE", "CACHED");
  }

  @Test
  void withoutCredentialsTheImportWarnsAndTheExportFails() throws Exception {
    Path other = tmp.resolve("no-creds");
    Files.createDirectories(other);
    var anonymous = Cli.env(other);
    String ref = basic.host() + "/cache/app:anon";
    var imported = ok(build(anonymous, fresh(), "--cache-from", ref));
    assertTrue(
        imported.err().contains("jbuild: warning: cannot import cache from " + ref),
        imported.err());
    assertSteps(imported.err(), "DONE", "DONE");
    var exported = build(anonymous, fresh(), "--cache-to", "type=registry,ref=" + ref);
    assertEquals(5, exported.exit(), exported.err());
    assertTrue(exported.err().contains(basic.host()), exported.err());
    // ignore-error turns it into a warning
    var ignored =
        ok(
            build(
                anonymous,
                fresh(),
                "--cache-to",
                "type=registry,ref=" + ref + ",ignore-error=true"));
    assertTrue(
        ignored.err().contains("jbuild: warning: cannot export cache to " + ref), ignored.err());
  }
}

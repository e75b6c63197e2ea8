package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild build --check} and {@code --call check|outline|targets} through the real command
 * line: exit codes as buildx's, output in buildx's text and JSON shapes. No runner is needed.
 */
class CallCommandTest {
  @TempDir Path root;
  @TempDir Path ctx;

  @BeforeEach
  void baseImage() throws Exception {
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  private Result build(String dockerfile, String... args) throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    String[] all = new String[args.length + 2];
    all[0] = "build";
    System.arraycopy(args, 0, all, 1, args.length);
    all[all.length - 1] = ctx.toString();
    return InProcessCli.run(root, all);
  }

  @Test
  void checkWithoutViolationsExitsZero() throws Exception {
    Result r = build("FROM busybox\nCMD [\"true\"]\n", "--check");
    assertEquals(0, r.exit(), r.err());
    assertEquals("Check complete, no warnings found.\n", r.out());
  }

  @Test
  void checkPrintsEachViolationAndExitsOne() throws Exception {
    Result r = build("FROM busybox as Build\nMAINTAINER me\nENV A=$NOPE\n", "--check");
    assertEquals(1, r.exit(), r.err());
    assertEquals(
        """
        Check complete, 4 warnings have been found!

        WARNING: StageNameCasing - https://docs.docker.com/go/dockerfile/rule/stage-name-casing/
        Stage name 'Build' should be lowercase
        Dockerfile:1:1
        --------------------
           1 | >>> FROM busybox as Build
           2 |     MAINTAINER me
           3 |     ENV A=$NOPE
        --------------------

        WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/
        'as' and 'FROM' keywords' casing do not match
        Dockerfile:1:1
        --------------------
           1 | >>> FROM busybox as Build
           2 |     MAINTAINER me
           3 |     ENV A=$NOPE
        --------------------

        WARNING: MaintainerDeprecated - https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/
        Maintainer instruction is deprecated in favor of using label
        Dockerfile:2:1
        --------------------
           1 |     FROM busybox as Build
           2 | >>> MAINTAINER me
           3 |     ENV A=$NOPE
           4 |    \s
        --------------------

        WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/
        Usage of undefined variable '$NOPE'
        Dockerfile:3:1
        --------------------
           1 |     FROM busybox as Build
           2 |     MAINTAINER me
           3 | >>> ENV A=$NOPE
           4 |    \s
        --------------------
        """,
        r.out());
    // the base image is in the store, so its PATH is a defined variable
    assertEquals(0, build("FROM busybox\nENV P=$PATH\n", "--check").exit());
  }

  @Test
  void invalidBaseImagePlatformComparesTheStoredImage() throws Exception {
    String host = dev.jbuild.layercache.model.Platform.host().normalize().toString();
    String other = host.startsWith("linux/amd64") ? "linux/arm64" : "linux/amd64";
    Result r = build("FROM busybox\n", "--check", "--platform", other);
    assertEquals(1, r.exit(), r.err());
    assertTrue(
        r.out()
            .contains(
                "WARNING: InvalidBaseImagePlatform\nBase image busybox was pulled with platform \""
                    + host
                    + "\", expected \""
                    + dev.jbuild.layercache.model.Platform.parse(other).normalize()
                    + "\" for current build\n"),
        r.out());
    assertEquals(0, build("FROM busybox\n", "--check", "--platform", host).exit());
  }

  @Test
  void checkJsonIsBuildKitsLintResult() throws Exception {
    String df = "FROM busybox\nEXPOSE 80/TCP\n";
    Result r = build(df, "--call", "check,format=json");
    assertEquals(1, r.exit(), r.err());
    JsonObject o = (JsonObject) Json.parse(r.out());
    JsonObject w = (JsonObject) o.array("warnings").get(0);
    assertEquals("ExposeProtoCasing", w.string("ruleName"));
    assertEquals("Protocol in EXPOSE instruction should be lowercase", w.string("description"));
    assertEquals(
        "https://docs.docker.com/go/dockerfile/rule/expose-proto-casing/", w.string("url"));
    assertEquals(
        "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase", w.string("detail"));
    assertEquals(
        "{\"ranges\":[{\"start\":{\"line\":2},\"end\":{\"line\":2}}]}",
        w.object("location").toString());
    JsonObject src = (JsonObject) o.array("sources").get(0);
    assertEquals("Dockerfile", src.string("filename"));
    assertEquals(df, new String(Base64.getDecoder().decode(src.string("data"))));
    assertEquals(0, build(df, "--call", "check,format=json,ignorestatus=true").exit());
  }

  @Test
  void checkDirectiveAndBuildArg() throws Exception {
    String bad = "FROM busybox\nMAINTAINER me\n";
    assertEquals(0, build("# check=skip=MaintainerDeprecated\n" + bad, "--check").exit());
    assertEquals(0, build("# check=skip=all\n" + bad, "--check").exit());
    assertEquals(1, build("# check=skip=StageNameCasing\n" + bad, "--check").exit());
    // the build arg replaces the directive
    assertEquals(
        1,
        build(
                "# check=skip=all\n" + bad,
                "--check",
                "--build-arg",
                "BUILDKIT_DOCKERFILE_CHECK=skip=UndefinedVar")
            .exit());
    Result r = build("# check=nonsense\n" + bad, "--check");
    assertEquals(3, r.exit());
    assertTrue(
        r.err().contains("Dockerfile:1:9: failed to parse check options: invalid check option"),
        r.err());
  }

  @Test
  void errorTrueFailsTheBuildBeforeItStarts() throws Exception {
    Result r = build("# check=error=true\nFROM busybox\nMAINTAINER me\nRUN false\n");
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("lint violation found for rules: MaintainerDeprecated"), r.err());
    assertTrue(
        r.err()
            .contains(
                " - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using"
                    + " label (Dockerfile:3:1)"),
        r.err());
  }

  @Test
  void foreignSyntaxIsAnErrorNamingIt() throws Exception {
    Result r = build("# syntax=example.com/frontend:1\nFROM busybox\n", "--check");
    assertEquals(3, r.exit());
    assertTrue(r.err().contains("unsupported frontend \"example.com/frontend:1\""), r.err());
  }

  private static final String MULTI =
      """
      # syntax=docker/dockerfile:1
      ARG GO_VERSION=1.22
      # base the shared base
      FROM busybox AS base
      # build compiles the binary
      FROM base AS build
      # VERSION the version stamped into the binary
      ARG VERSION=dev
      RUN --mount=type=secret,id=token,required=true --mount=type=ssh true
      FROM busybox AS test
      FROM build
      COPY --from=build /bin/sh /app
      """;

  @Test
  void targetsText() throws Exception {
    Result r = build(MULTI, "--call", "targets");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        """
        TARGET    DESCRIPTION
        base      the shared base
        build     compiles the binary
        test     \s
        (default)\s
        """,
        r.out());
  }

  @Test
  void targetsJson() throws Exception {
    Result r = build(MULTI, "--call", "targets,format=json");
    assertEquals(0, r.exit(), r.err());
    JsonObject o = (JsonObject) Json.parse(r.out());
    JsonArray ts = o.array("targets");
    assertEquals(4, ts.size());
    JsonObject build = (JsonObject) ts.get(1);
    assertEquals("build", build.string("name"));
    assertEquals("compiles the binary", build.string("description"));
    assertEquals("base", build.string("base"));
    assertEquals(
        "{\"ranges\":[{\"start\":{\"line\":6},\"end\":{\"line\":6}}]}",
        build.object("location").toString());
    JsonObject last = (JsonObject) ts.get(3);
    assertEquals(Boolean.TRUE, last.bool("default"));
    assertTrue(!last.has("name") && !((JsonObject) ts.get(0)).has("default"), r.out());
    assertEquals(1, o.array("sources").size());
  }

  @Test
  void outlineText() throws Exception {
    Result r = build(MULTI, "--call", "outline", "--target", "build", "--build-arg", "VERSION=2");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        """
        TARGET:      build
        DESCRIPTION: compiles the binary

        BUILD ARG   VALUE   DESCRIPTION
        VERSION     2       the version stamped into the binary

        SECRET   REQUIRED
        token    true

        SSH       REQUIRED
        default  \s

        """,
        r.out());
  }

  @Test
  void outlineJson() throws Exception {
    Result r = build(MULTI, "--call", "outline,format=json", "--target", "build");
    assertEquals(0, r.exit(), r.err());
    JsonObject o = (JsonObject) Json.parse(r.out());
    assertEquals("build", o.string("name"));
    JsonObject arg = (JsonObject) o.array("args").get(0);
    assertEquals("VERSION", arg.string("name"));
    assertEquals("dev", arg.string("value"));
    assertEquals("the version stamped into the binary", arg.string("description"));
    JsonObject secret = (JsonObject) o.array("secrets").get(0);
    assertEquals("token", secret.string("name"));
    assertEquals(Boolean.TRUE, secret.bool("required"));
    assertEquals("default", ((JsonObject) o.array("ssh").get(0)).string("name"));
  }

  @Test
  void unknownCallValueIsAUsageError() throws Exception {
    Result r = build("FROM busybox\n", "--call", "describe");
    assertEquals(2, r.exit());
    assertTrue(
        r.err().contains("invalid --call \"describe\": expected build, check, outline or targets"),
        r.err());
    assertEquals(2, build("FROM busybox\n", "--call", "check,colour=red").exit());
  }
}

package dev.jbuild.cli.registry;

import static dev.jbuild.cli.registry.BuildOutputsIT.exec;
import static dev.jbuild.cli.registry.BuildOutputsIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@code --build-context NAME=oci-layout://DIR[:TAG|@DIGEST]} with layouts written by
 * skopeo (a two-platform index), by jbuild's own {@code -o type=oci} (untarred) and by umoci, in
 * FROM and {@code COPY --from}; an index resolves to the build's platform; hostile layouts
 * (symlinks, wrong sizes and digests, a fifo, an oversized index.json, a missing tag) are refused
 * with one line naming the layout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OciLayoutContextIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  private Path dir(String name, Map<String, String> files) throws Exception {
    Path d = tmp.resolve(name);
    Files.createDirectories(d);
    for (var e : files.entrySet()) {
      Files.writeString(d.resolve(e.getKey()), e.getValue());
    }
    return d;
  }

  /** A layout of a two-platform busybox, copied from the registry by skopeo, tagged bb. */
  private Path skopeoLayout() throws Exception {
    String prefix = registry.serveBusyboxMulti(tmp.resolve("bases"));
    Path layout = tmp.resolve("skopeo-layout");
    var args = new ArrayList<String>(List.of("copy", "--all"));
    args.addAll(registry.skopeoArgs("src"));
    args.add("docker://" + prefix + "busybox-multi:latest");
    args.add("oci:" + layout + ":bb");
    Skopeo.run(args);
    return layout;
  }

  /** jbuild's own {@code -o type=oci} of a one-file image named made:1, untarred. */
  private Path jbuildLayout(Map<String, String> env, Path root) throws Exception {
    Path ctx = dir("made", Map.of("Dockerfile", "FROM scratch\nCOPY f /f\n", "f", "from jbuild\n"));
    Path tar = tmp.resolve("made.tar");
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "-q",
            "-t",
            "made:1",
            "--provenance=false", // one manifest, not an index with an attestation manifest
            "-o",
            "type=oci,dest=" + tar,
            ctx.toString()));
    Path layout = tmp.resolve("jbuild-layout");
    Files.createDirectories(layout);
    exec(List.of("tar", "-xf", tar.toString(), "-C", layout.toString()));
    return layout;
  }

  /**
   * umoci's layout: a new image u, unpacked, one file added, repacked. (umoci 0.4.7's {@code
   * insert} writes a layer tar without its padding and end blocks, which GNU tar refuses too.)
   */
  private Path umociLayout() throws Exception {
    Path layout = tmp.resolve("umoci-layout");
    Path bundle = tmp.resolve("umoci-bundle");
    exec(List.of("umoci", "init", "--layout", layout.toString()));
    exec(List.of("umoci", "new", "--image", layout + ":u"));
    exec(List.of("umoci", "unpack", "--image", layout + ":u", bundle.toString()));
    Files.writeString(bundle.resolve("rootfs/u.txt"), "from umoci\n");
    exec(List.of("umoci", "repack", "--image", layout + ":u", bundle.toString()));
    return layout;
  }

  @Test
  void layoutsOfSkopeoJbuildAndUmociAreBasesAndCopySources() throws Exception {
    var env = Cli.env(tmp);
    Path root = tmp.resolve("root");
    Path sk = skopeoLayout();
    Path jb = jbuildLayout(env, root);
    Path um = umociLayout();
    Path main =
        dir(
            "main",
            Map.of(
                "Dockerfile",
                """
                FROM bb
                RUN echo ran > /ran
                COPY --from=made /f /from-jbuild
                COPY --from=u /u.txt /from-umoci
                """));
    String[] contexts = {
      "--build-context",
      "bb=oci-layout://" + sk + ":bb",
      "--build-context",
      "made=oci-layout://" + jb + ":1",
      "--build-context",
      "u=oci-layout://" + um + ":u"
    };
    Path out = tmp.resolve("out");
    var args = new ArrayList<String>(List.of("build", "--progress", "plain"));
    args.addAll(List.of(contexts));
    args.addAll(List.of("-o", "type=local,dest=" + out, main.toString()));
    var first = ok(Cli.withRoot(env, root, args.toArray(String[]::new)));
    assertEquals("ran\n", Files.readString(out.resolve("ran")));
    assertEquals("from jbuild\n", Files.readString(out.resolve("from-jbuild")));
    assertEquals("from umoci\n", Files.readString(out.resolve("from-umoci")));
    assertTrue(Files.isRegularFile(out.resolve("bin/busybox")), "the base's files");
    assertTrue(first.err().contains("loaded from oci-layout://" + sk + ":bb"), first.err());

    // again: the base's key is its manifest digest, so every step is cached
    var again = ok(Cli.withRoot(env, root, args.toArray(String[]::new)));
    assertTrue(
        again.err().lines().anyMatch(l -> l.contains("RUN echo ran") && l.endsWith("CACHED")),
        again.err());

    // the index resolves to the build's platform: linux/arm64 gets the arm64 image
    String armConfig =
        Skopeo.run(List.of("inspect", "--config", "--override-arch", "arm64", "oci:" + sk + ":bb"));
    Path arm = tmp.resolve("arm.tar");
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "-q",
            "--platform",
            "linux/arm64",
            "--build-context",
            "bb=oci-layout://" + sk,
            "--provenance=false",
            "-o",
            "type=oci,dest=" + arm,
            dir("arm", Map.of("Dockerfile", "FROM bb\nENV X=1\n")).toString()));
    JsonObject built =
        Json.parseObject(Skopeo.run(List.of("inspect", "--config", "oci-archive:" + arm)));
    assertEquals("arm64", built.string("architecture"), built.toString());
    assertEquals(
        Json.parseObject(armConfig).object("rootfs").array("diff_ids").get(0).toString(),
        built.object("rootfs").array("diff_ids").get(0).toString());

    // by digest: the index, and one manifest that index.json does not name
    JsonObject index =
        Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci:" + sk + ":bb")));
    JsonObject top = Json.parseObject(Files.readAllBytes(sk.resolve("index.json")));
    String indexDigest = ((JsonObject) top.array("manifests").get(0)).string("digest");
    String amd64 = null;
    for (var e : index.array("manifests").elements()) {
      JsonObject d = (JsonObject) e;
      if ("amd64".equals(d.object("platform").string("architecture"))) {
        amd64 = d.string("digest");
      }
    }
    for (String digest : List.of(indexDigest, amd64)) {
      Path o = tmp.resolve("by-digest-" + digest.substring(7, 15));
      ok(
          Cli.withRoot(
              env,
              root,
              "build",
              "-q",
              "--build-context",
              "bb=oci-layout://" + sk + "@" + digest,
              "-o",
              "type=local,dest=" + o,
              dir("digest", Map.of("Dockerfile", "FROM scratch\nCOPY --from=bb /bin/busybox /b\n"))
                  .toString()));
      assertTrue(Files.isRegularFile(o.resolve("b")), digest);
    }
  }

  @Test
  void hostileLayoutsAreRefused() throws Exception {
    var env = Cli.env(tmp);
    Path root = tmp.resolve("root-hostile");
    Path good = jbuildLayout(env, root);
    JsonObject index = Json.parseObject(Files.readAllBytes(good.resolve("index.json")));
    String manifest = ((JsonObject) index.array("manifests").get(0)).string("digest");
    JsonObject m =
        Json.parseObject(Files.readAllBytes(good.resolve("blobs/sha256/" + manifest.substring(7))));
    String layer = ((JsonObject) m.array("layers").get(0)).string("digest").substring(7);
    Path ctx = dir("hostile", Map.of("Dockerfile", "FROM scratch\nCOPY --from=x /f /f\n"));

    record Case(String name, String tag, String expected, Mutation mutation) {}
    List<Case> cases =
        List.of(
            new Case(
                "blobs-symlink",
                "1",
                "blobs/sha256/" + manifest.substring(7) + " is reached through a symlink",
                d -> {
                  Path elsewhere = tmp.resolve("elsewhere-blobs");
                  exec(List.of("mv", d.resolve("blobs").toString(), elsewhere.toString()));
                  Files.createSymbolicLink(d.resolve("blobs"), elsewhere);
                }),
            new Case(
                "layer-symlink",
                "1",
                "is reached through a symlink",
                d -> {
                  Path victim = tmp.resolve("victim-layer");
                  Path blob = d.resolve("blobs/sha256/" + layer);
                  Files.move(blob, victim);
                  Files.createSymbolicLink(blob, victim);
                }),
            new Case(
                "flipped",
                "1",
                "does not match its digest",
                d -> {
                  Path blob = d.resolve("blobs/sha256/" + layer);
                  byte[] b = Files.readAllBytes(blob);
                  b[b.length / 2] ^= 1;
                  Files.write(blob, b);
                }),
            new Case(
                "truncated",
                "1",
                "its descriptor says",
                d -> {
                  Path blob = d.resolve("blobs/sha256/" + layer);
                  byte[] b = Files.readAllBytes(blob);
                  Files.write(blob, java.util.Arrays.copyOf(b, b.length - 1));
                }),
            new Case(
                "fifo",
                "1",
                "is a fifo, not a regular file",
                d -> {
                  Path blob = d.resolve("blobs/sha256/" + layer);
                  Files.delete(blob);
                  exec(List.of("mkfifo", blob.toString()));
                }),
            new Case(
                "huge-index",
                "1",
                "index.json is",
                d -> {
                  byte[] b = Files.readAllBytes(d.resolve("index.json"));
                  byte[] padded = new byte[b.length + (5 << 20)];
                  java.util.Arrays.fill(padded, (byte) ' ');
                  System.arraycopy(b, 0, padded, 0, b.length);
                  Files.write(d.resolve("index.json"), padded);
                }),
            new Case(
                "no-tag",
                "nope",
                "names no image tagged nope (it has: 1, 2)",
                d -> {
                  // two entries: with one, buildx (and jbuild) take it whatever the tag
                  String text = Files.readString(d.resolve("index.json"));
                  JsonObject entry = (JsonObject) index.array("manifests").get(0);
                  String second =
                      entry
                          .toString()
                          .replace(
                              "\"org.opencontainers.image.ref.name\":\"1\"",
                              "\"org.opencontainers.image.ref.name\":\"2\"");
                  int end = text.indexOf(']');
                  Files.writeString(
                      d.resolve("index.json"),
                      text.substring(0, end) + "," + second + text.substring(end));
                }));
    // a store without the layout's blobs, so each one is read from the layout
    Path fresh = tmp.resolve("root-fresh");
    for (Case c : cases) {
      Path d = tmp.resolve("hostile-" + c.name());
      exec(List.of("cp", "-a", good.toString(), d.toString()));
      c.mutation().apply(d);
      var r =
          Cli.withRoot(
              env,
              fresh,
              "build",
              "--build-context",
              "x=oci-layout://" + d + ":" + c.tag(),
              ctx.toString());
      assertEquals(1, r.exit(), c.name() + ": " + r.err());
      assertTrue(
          r.err().contains("--build-context x=oci-layout://" + d + ":" + c.tag() + ": "),
          c.name() + ": " + r.err());
      assertTrue(r.err().contains(c.expected()), c.name() + ": " + r.err());
    }
    // the store was not harmed: the good layout still builds
    ok(
        Cli.withRoot(
            env,
            fresh,
            "build",
            "-q",
            "--build-context",
            "x=oci-layout://" + good + ":1",
            ctx.toString()));
    // usage: a missing directory, an invalid digest
    var missing =
        Cli.withRoot(
            env,
            root,
            "build",
            "--build-context",
            "x=oci-layout://" + tmp.resolve("nope"),
            ctx.toString());
    assertEquals(4, missing.exit(), missing.err());
    var badDigest =
        Cli.withRoot(
            env,
            root,
            "build",
            "--build-context",
            "x=oci-layout://" + good + "@sha256:12",
            ctx.toString());
    assertEquals(2, badDigest.exit(), badDigest.err());
  }

  @FunctionalInterface
  private interface Mutation {
    void apply(Path layout) throws Exception;
  }
}

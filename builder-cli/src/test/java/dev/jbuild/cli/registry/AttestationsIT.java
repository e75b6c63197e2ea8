package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, attestations: an image FROM the lab's Debian image with an npm package a RUN step
 * installs, built with {@code --sbom --provenance=mode=max} and pushed; the in-toto statements are
 * read from the registry's manifests and blobs over HTTP (and the pushed index copied whole by
 * skopeo), then the store's commands (inspect's .SBOM and .Provenance, images, history, run, save,
 * -o oci and docker, prune, push) on the index that holds the attestation manifest; buildx's
 * default provenance and the refused spellings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttestationsIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir static Path shared;
  private Path tmp;
  private Path ctx;
  private Path root;
  private Map<String, String> env;
  private String debianDigest;

  private static final String DOCKERFILE =
      """
      FROM debian:bookworm-slim
      RUN mkdir -p /app/node_modules/left-pad \\
       && printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}' > /app/node_modules/left-pad/package.json \\
       && printf '{"name":"app","lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/left-pad":{"version":"1.3.0"},"node_modules/is-odd":{"version":"3.0.1"}}}' > /app/package-lock.json
      COPY hello.txt /app/
      """;

  @BeforeAll
  void setUp() throws IOException {
    tmp = shared;
    ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    root = tmp.resolve("root");
    try (Store s = Store.open(root)) {
      debianDigest = TestImages.debian(s, "debian:bookworm-slim").digest().toString();
    }
    env = Cli.env(tmp);
  }

  private Cli.Result jbuild(String... args) {
    return Cli.withRoot(env, root, args);
  }

  private Cli.Result build(Map<String, String> e, String... args) {
    var all = new ArrayList<String>(List.of("--root", root.toString(), "build"));
    all.addAll(List.of(args));
    all.add(ctx.toString());
    return Cli.run(e, null, all.toArray(String[]::new));
  }

  private Cli.Result build(String... args) {
    return build(env, args);
  }

  private byte[] get(String repo, String what, String accept) throws Exception {
    var req =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/" + repo + "/" + what))
            .header("Accept", accept)
            .build();
    var resp = registry.httpClient().send(req, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, resp.statusCode(), what);
    return resp.body();
  }

  private JsonObject manifest(String repo, String ref) throws Exception {
    return Json.parseObject(
        get(repo, "manifests/" + ref, MediaTypes.OCI_INDEX + ", " + MediaTypes.OCI_MANIFEST));
  }

  /** The in-toto statements of the registry's index {@code repo:tag}, by predicate type. */
  private Map<String, JsonObject> statements(String repo, String tag, String[] imageDigest)
      throws Exception {
    JsonObject index = manifest(repo, tag);
    assertEquals(MediaTypes.OCI_INDEX, index.string("mediaType"));
    JsonArray ms = index.array("manifests");
    assertEquals(2, ms.size(), index.toString());
    JsonObject image = (JsonObject) ms.get(0);
    JsonObject att = (JsonObject) ms.get(1);
    assertEquals("linux", image.object("platform").string("os"));
    assertEquals("unknown", att.object("platform").string("os"));
    assertEquals("unknown", att.object("platform").string("architecture"));
    var notes = att.stringMap("annotations");
    assertEquals("attestation-manifest", notes.get("vnd.docker.reference.type"));
    assertEquals(image.string("digest"), notes.get("vnd.docker.reference.digest"));
    imageDigest[0] = image.string("digest");
    JsonObject am = manifest(repo, att.string("digest"));
    JsonObject config =
        Json.parseObject(get(repo, "blobs/" + am.object("config").string("digest"), "*/*"));
    assertEquals("unknown", config.string("os"));
    Map<String, JsonObject> out = new HashMap<>();
    for (Json l : am.array("layers").elements()) {
      JsonObject layer = (JsonObject) l;
      assertEquals("application/vnd.in-toto+json", layer.string("mediaType"));
      String type = layer.stringMap("annotations").get("in-toto.io/predicate-type");
      JsonObject st = Json.parseObject(get(repo, "blobs/" + layer.string("digest"), "*/*"));
      assertEquals("https://in-toto.io/Statement/v0.1", st.string("_type"));
      assertEquals(type, st.string("predicateType"));
      JsonObject subject = (JsonObject) st.array("subject").get(0);
      assertEquals(image.string("digest"), "sha256:" + subject.object("digest").string("sha256"));
      out.put(type, st.object("predicate"));
    }
    return out;
  }

  private static Set<String> purls(JsonObject spdx) {
    Set<String> out = new TreeSet<>();
    for (Json p : spdx.array("packages").elements()) {
      JsonArray refs = ((JsonObject) p).array("externalRefs");
      if (refs != null) {
        for (Json r : refs.elements()) {
          out.add(((JsonObject) r).string("referenceLocator"));
        }
      }
    }
    return out;
  }

  @Test
  void sbomAndProvenanceArePushedAsBuildKitAttachesThem() throws Exception {
    String ref = registry.host() + "/attest/app:1";
    Path meta = tmp.resolve("meta.json");
    Cli.Result r =
        ok(
            build(
                "-t",
                ref,
                "--sbom",
                "--provenance=mode=max",
                "--push",
                "--metadata-file",
                meta.toString()));
    String[] image = new String[1];
    Map<String, JsonObject> st = statements("attest/app", "1", image);

    JsonObject spdx = st.get("https://spdx.dev/Document");
    assertNotNull(spdx, st.keySet().toString());
    assertEquals("SPDX-2.3", spdx.string("spdxVersion"));
    Set<String> purls = purls(spdx);
    // the Debian packages of the lab's image, with the distro of its os-release
    for (String deb : List.of("bash", "dpkg", "libc6", "base-files", "coreutils")) {
      assertTrue(
          purls.stream().anyMatch(p -> p.startsWith("pkg:deb/debian/" + deb + "@")),
          deb + " in " + purls);
    }
    assertTrue(
        purls.stream().allMatch(p -> !p.startsWith("pkg:deb/") || p.contains("distro=debian-12")),
        purls.toString());
    // the npm packages the RUN step wrote (node_modules and the lockfile)
    assertTrue(purls.contains("pkg:npm/left-pad@1.3.0"), purls.toString());
    assertTrue(purls.contains("pkg:npm/is-odd@3.0.1"), purls.toString());

    JsonObject slsa = st.get("https://slsa.dev/provenance/v0.2");
    assertNotNull(slsa, st.keySet().toString());
    assertEquals("https://mobyproject.org/buildkit@v1", slsa.string("buildType"));
    List<String> uris = new ArrayList<>();
    for (Json m : slsa.array("materials").elements()) {
      JsonObject mo = (JsonObject) m;
      uris.add(mo.string("uri"));
      if (mo.string("uri").startsWith("pkg:docker/debian@bookworm-slim")) {
        assertEquals(debianDigest, "sha256:" + mo.object("digest").string("sha256"));
      }
    }
    assertTrue(
        uris.contains("pkg:docker/debian@bookworm-slim?platform=linux%2Famd64"), uris.toString());
    assertTrue(uris.contains("context"), uris.toString());
    assertEquals(
        "dockerfile.v0", slsa.object("invocation").object("parameters").string("frontend"));
    // mode=max: the steps and the Dockerfile
    List<String> steps =
        ((JsonObject) slsa.object("buildConfig").array("stages").get(0)).array("steps").strings();
    assertEquals(2, steps.size(), steps.toString());
    assertTrue(
        steps.get(0).startsWith("RUN mkdir -p /app/node_modules/left-pad"), steps.toString());
    assertEquals("COPY hello.txt /app/", steps.get(1));
    assertTrue(slsa.object("metadata").has("https://mobyproject.org/buildkit@v1#metadata"));

    // skopeo copies the whole index (every blob verified), attestation included
    var copy = new ArrayList<>(List.of("copy", "--all"));
    copy.addAll(registry.skopeoArgs("src"));
    copy.add("docker://" + ref);
    copy.add("oci:" + tmp.resolve("copied") + ":1");
    Skopeo.run(copy);
    JsonObject copied =
        Json.parseObject(
            Skopeo.run(List.of("inspect", "--raw", "oci:" + tmp.resolve("copied") + ":1")));
    assertEquals(2, copied.array("manifests").size());

    // the metadata file names the pushed index, and the image's config
    JsonObject m = Json.parseObject(Files.readString(meta));
    String id = ok(jbuild("inspect", "-f", "{{.Id}}", ref)).out().strip();
    assertEquals(id, m.string("containerimage.config.digest"));
    assertEquals(MediaTypes.OCI_INDEX, m.object("containerimage.descriptor").string("mediaType"));
    assertTrue(
        r.err().contains("pushed " + ref + "@" + m.string("containerimage.digest")), r.err());
  }

  @Test
  void theStoreCommandsHandleTheAttestedIndex() throws Exception {
    ok(build("-t", "app:att", "--attest", "type=sbom", "--attest", "type=provenance,mode=min"));
    // inspect shows the image (its ID, its config) and, asked, the attestations as buildx does
    String id = ok(jbuild("inspect", "-f", "{{.Id}} {{.Os}}", "app:att")).out().strip();
    assertTrue(id.startsWith("sha256:") && id.endsWith(" linux"), id);
    JsonObject sbom =
        Json.parseObject(ok(jbuild("inspect", "-f", "{{json .SBOM}}", "app:att")).out());
    assertTrue(purls(sbom.object("SPDX")).contains("pkg:npm/left-pad@1.3.0"));
    JsonObject prov =
        Json.parseObject(ok(jbuild("inspect", "-f", "{{json .Provenance}}", "app:att")).out());
    assertEquals("https://mobyproject.org/buildkit@v1", prov.object("SLSA").string("buildType"));
    assertFalse(prov.object("SLSA").has("buildConfig")); // mode=min
    // images: one row, its platform; history and run use the image, never the attestation
    String images = ok(jbuild("images", "--format", "{{.Repository}}:{{.Tag}}", "app")).out();
    assertEquals("app:att", images.strip());
    assertTrue(ok(jbuild("history", "-q", "app:att")).out().lines().count() >= 2);
    assertEquals(
        "hello", ok(jbuild("run", "--rm", "app:att", "cat", "/app/hello.txt")).out().strip());
    // -o type=docker and save write the image only; -o type=oci the index with its attestation
    Path docker = tmp.resolve("d.tar");
    ok(build("-t", "app:att", "--sbom", "-o", "type=docker,dest=" + docker));
    Path dd = untar(docker);
    JsonArray manifestJson =
        (JsonArray) Json.parse(Files.readAllBytes(dd.resolve("manifest.json")));
    assertEquals(1, manifestJson.size());
    Path saved = tmp.resolve("saved.tar");
    ok(jbuild("save", "-o", saved.toString(), "app:att"));
    assertEquals(
        1,
        ((JsonArray) Json.parse(Files.readAllBytes(untar(saved).resolve("manifest.json")))).size());
    Path oci = tmp.resolve("o.tar");
    ok(build("-t", "app:att", "--sbom", "-o", "type=oci,dest=" + oci));
    Path od = untar(oci);
    dev.jbuild.testing.ImageValidator.validateLayout(od); // attestation checked too
    JsonObject raw = Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci:" + od)));
    JsonObject att = (JsonObject) raw.array("manifests").get(1);
    assertEquals(
        "attestation-manifest", att.stringMap("annotations").get("vnd.docker.reference.type"));
    JsonObject am =
        Json.parseObject(
            Files.readAllBytes(od.resolve("blobs/sha256/" + att.string("digest").substring(7))));
    assertEquals(
        "application/vnd.in-toto+json",
        ((JsonObject) am.array("layers").get(0)).string("mediaType"));
    // prune keeps what the tag reaches; a later push carries the attestation
    ok(jbuild("prune", "--all"));
    assertTrue(ok(jbuild("inspect", "-f", "{{json .SBOM}}", "app:att")).out().contains("SPDX-2.3"));
    String again = registry.host() + "/attest/again:1";
    ok(jbuild("push", "app:att", again));
    String[] image = new String[1];
    assertEquals(
        Set.of("https://spdx.dev/Document", "https://slsa.dev/provenance/v0.2"),
        statements("attest/again", "1", image).keySet());
  }

  @Test
  void provenanceByDefaultOnPushAsBuildx() throws Exception {
    String ref = registry.host() + "/attest/default:1";
    ok(build("-t", ref, "--push"));
    String[] image = new String[1];
    Map<String, JsonObject> st = statements("attest/default", "1", image);
    assertEquals(Set.of("https://slsa.dev/provenance/v0.2"), st.keySet());
    assertFalse(st.values().iterator().next().has("buildConfig")); // mode=min
    // turned off: a plain manifest
    String off = registry.host() + "/attest/off:1";
    ok(build("-t", off, "--push", "--provenance=false"));
    assertEquals(MediaTypes.OCI_MANIFEST, manifest("attest/off", "1").string("mediaType"));
    var noDefault = new HashMap<>(env);
    noDefault.put("BUILDX_NO_DEFAULT_ATTESTATIONS", "1");
    String nd = registry.host() + "/attest/nodefault:1";
    ok(build(noDefault, "-t", nd, "--push"));
    assertEquals(MediaTypes.OCI_MANIFEST, manifest("attest/nodefault", "1").string("mediaType"));
    // a build into the store only attests nothing by default: a plain image
    ok(build("-t", "plain:1"));
    assertEquals(
        MediaTypes.OCI_MANIFEST,
        ok(jbuild("inspect", "-f", "{{.Metadata.ManifestMediaType}}", "plain:1")).out().strip());
  }

  /** Each subject of a statement: name -> sha256. */
  private static Map<String, String> subjects(JsonObject statement) {
    Map<String, String> out = new HashMap<>();
    for (Json j : statement.array("subject").elements()) {
      JsonObject o = (JsonObject) j;
      out.put(o.string("name"), o.object("digest").string("sha256"));
    }
    return out;
  }

  @Test
  void localAndTarOutputsCarryTheStatementsAsFilesAsBuildKitWritesThem() throws Exception {
    Path local = tmp.resolve("local-out");
    ok(build("--sbom", "--provenance=mode=max", "-o", "type=local,dest=" + local));
    JsonObject prov = Json.parseObject(Files.readAllBytes(local.resolve("provenance.json")));
    assertEquals("https://in-toto.io/Statement/v0.1", prov.string("_type"));
    assertEquals("https://slsa.dev/provenance/v0.2", prov.string("predicateType"));
    assertEquals(
        "https://mobyproject.org/buildkit@v1", prov.object("predicate").string("buildType"));
    // the subjects are the output's files, not the image manifest
    Map<String, String> subjects = subjects(prov);
    String hello =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(hello, subjects.get("app/hello.txt"), subjects.keySet().toString());
    assertTrue(subjects.containsKey("app/node_modules/left-pad/package.json"));
    assertFalse(subjects.containsKey("provenance.json"));
    assertFalse(subjects.containsKey("sbom.spdx.json"));
    JsonObject sbom = Json.parseObject(Files.readAllBytes(local.resolve("sbom.spdx.json")));
    assertEquals("https://spdx.dev/Document", sbom.string("predicateType"));
    assertTrue(purls(sbom.object("predicate")).contains("pkg:npm/left-pad@1.3.0"));
    assertEquals(subjects, subjects(sbom));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(local.resolve("provenance.json"))));

    // tar: the same files in the stream; only what was asked (no default provenance here)
    Path tar = tmp.resolve("attested.tar");
    ok(build("--sbom", "-o", "type=tar,dest=" + tar));
    Path td = untar(tar);
    assertTrue(Files.isRegularFile(td.resolve("sbom.spdx.json")));
    assertTrue(Files.isRegularFile(td.resolve("app/hello.txt")));
    assertFalse(Files.exists(td.resolve("provenance.json")));

    // attestation-prefix, as BuildKit's local exporter takes it
    Path prefixed = tmp.resolve("prefixed-out");
    ok(
        build(
            "--provenance=mode=min",
            "-o",
            "type=local,dest=" + prefixed + ",attestation-prefix=att-"));
    assertTrue(Files.isRegularFile(prefixed.resolve("att-provenance.json")));
    assertFalse(Files.exists(prefixed.resolve("provenance.json")));

    // no attestation asked: no statement files
    Path plain = tmp.resolve("plain-out");
    ok(build("-o", "type=local,dest=" + plain));
    assertTrue(Files.isRegularFile(plain.resolve("app/hello.txt")));
    assertFalse(Files.exists(plain.resolve("provenance.json")));
  }

  private JsonObject provenanceOf(String image) {
    return Json.parseObject(ok(jbuild("inspect", "-f", "{{json .Provenance}}", image)).out())
        .object("SLSA");
  }

  @Test
  void provenanceMinLeavesOutTheBuildArgumentsAndSaysSoAsBuildKit() throws Exception {
    ok(build("-t", "app:pmin", "--build-arg", "X=1", "--label", "l=v", "--provenance=mode=min"));
    JsonObject min = provenanceOf("app:pmin");
    JsonObject params = min.object("invocation").object("parameters");
    assertFalse(params.has("args"), params.toString());
    assertEquals(false, min.object("metadata").object("completeness").bool("parameters"));

    ok(build("-t", "app:pmax", "--build-arg", "X=1", "--label", "l=v", "--provenance=mode=max"));
    JsonObject max = provenanceOf("app:pmax");
    Map<String, String> args = max.object("invocation").object("parameters").stringMap("args");
    assertEquals(Map.of("build-arg:X", "1", "label:l", "v"), args);
    assertEquals(true, max.object("metadata").object("completeness").bool("parameters"));
    assertEquals(
        "Dockerfile", max.object("invocation").object("configSource").string("entryPoint"));

    // min without build arguments or labels left nothing out: complete
    ok(build("-t", "app:pmin2", "--provenance=mode=min"));
    assertEquals(
        true,
        provenanceOf("app:pmin2").object("metadata").object("completeness").bool("parameters"));
  }

  @Test
  void indexAnnotationsOfASinglePlatformBuildGoOnItsAttestedIndex() throws Exception {
    ok(
        build(
            "-t",
            "app:ann",
            "--provenance=mode=min",
            "--annotation",
            "index:org.example.index=i",
            "--annotation",
            "manifest-descriptor:org.example.desc=d"));
    JsonObject index =
        Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci:" + root + ":app:ann")));
    assertEquals(MediaTypes.OCI_INDEX, index.string("mediaType"));
    assertEquals("i", index.stringMap("annotations").get("org.example.index"));
    JsonObject entry = (JsonObject) index.array("manifests").get(0);
    assertEquals("d", entry.stringMap("annotations").get("org.example.desc"));
    // without an attestation there is no index: refused, naming what would make one
    var r = build("-t", "app:ann2", "--annotation", "index:org.example.index=i");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--provenance"), r.err());
  }

  @Test
  void unknownTypesKeysAndValuesAreRefused() {
    for (String[] args :
        List.of(
            new String[] {"--attest", "type=vex"},
            new String[] {"--attest", "mode=max"},
            new String[] {"--attest", "type=provenance,mode=mid"},
            new String[] {"--attest", "type=provenance,colour=red"},
            new String[] {"--attest", "type=provenance,version=v1"},
            new String[] {"--attest", "type=sbom,generator=docker/buildkit-syft-scanner"},
            new String[] {"--provenance=mode=max,extra=1"},
            new String[] {"--sbom=maybe=1"})) {
      var r = build(args);
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().startsWith("jbuild: invalid --"), r.err());
    }
  }

  private Path untar(Path archive) throws Exception {
    Path dir = tmp.resolve(archive.getFileName() + ".d");
    Files.createDirectories(dir);
    BuildOutputsIT.exec(List.of("tar", "-xf", archive.toString(), "-C", dir.toString()));
    return dir;
  }

  private static Cli.Result ok(Cli.Result r) {
    return BuildOutputsIT.ok(r);
  }
}

package dev.jbuild.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The training workload of the JVM's AOT cache, run once by {@code mvn package} (see
 * builder-cli/pom.xml): in one JVM it pulls an image from a registry it serves itself on loopback,
 * builds a context three times (cold, unchanged, then after a change) and exports the result, so
 * the classes and profiles of the commands users run most are in the cache. Needs no root, no
 * network, no runc; as root with runc and a static busybox on the host, it also builds a RUN step
 * (cold, then unchanged), so a cold build's runner is in the cache as well.
 *
 * <p>Usage: {@code java -XX:AOTCacheOutput=jbuild.aot -cp jbuild.jar dev.jbuild.cli.Training WORK
 * CONTEXT}
 */
public final class Training {
  private Training() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path context = Path.of(args[1]);
    String root = work.resolve("store").toString();
    HttpServer server = registry();
    server.start();
    java.io.PrintStream out = System.out;
    System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    try {
      String ref = "127.0.0.1:" + server.getAddress().getPort() + "/train:1";
      step(Main.run("--root", root, "pull", "-q", ref));
      step(Main.run("--root", root, "build", "-q", "-t", "train:1", context.toString()));
      // the no-op rebuild: what developers run most, so its classes and profiles are in the cache
      step(Main.run("--root", root, "build", "-q", "-t", "train:1", context.toString()));
      Files.writeString(
          context.resolve("b.txt"),
          "changed\n",
          StandardOpenOption.APPEND,
          StandardOpenOption.CREATE);
      step(
          Main.run(
              "--root",
              root,
              "build",
              "-q",
              "--progress",
              "plain",
              "-t",
              "train:1",
              "-o",
              "type=oci,dest=" + work.resolve("train.tar"),
              context.toString()));
      step(Main.run("--root", root, "images", "-q"));
      step(Main.run("--root", root, "parse", "-f", context.resolve("Dockerfile").toString()));
      if (canRun()) {
        // a cold build with a RUN, then its no-op rebuild: the runner's classes (spec, runc, the
        // diff of the upper directory) and profiles are in the cache too
        Path runContext = work.resolve("run-ctx");
        Files.createDirectories(runContext);
        Files.writeString(
            runContext.resolve("Dockerfile"),
            "FROM 127.0.0.1:"
                + server.getAddress().getPort()
                + "/train-sh:1\nRUN echo trained > /trained.txt\nCOPY a.txt /a.txt\n");
        Files.writeString(runContext.resolve("a.txt"), "a\n");
        String[] build = {
          "--root", root, "build", "-q", "-t", "train-run:1", runContext.toString()
        };
        step(Main.run(build));
        step(Main.run(build));
      }
    } finally {
      System.setOut(out);
      server.stop(0);
    }
  }

  private static void step(int exit) {
    if (exit != 0) {
      System.err.println("jbuild AOT training: a step exited " + exit + " (the cache covers less)");
    }
  }

  /**
   * True when this JVM can run a RUN step: root, and a static busybox on the host to be the
   * training image's shell (Debian's busybox-static, which the tests' setup installs).
   */
  private static boolean canRun() {
    try {
      return BUSYBOX.toFile().isFile()
          && ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static final Path BUSYBOX = Path.of("/bin/busybox");

  /** A layer's tar entries and contents, written in order. */
  private interface LayerContent {
    void write(LayerWriter w) throws IOException;
  }

  /**
   * A registry API serving {@code train:1} (a gzip layer of a few files) and, when {@link
   * #canRun()}, {@code train-sh:1} (the host's static busybox as /bin/sh).
   */
  private static HttpServer registry() throws IOException {
    Map<String, byte[]> manifests = new HashMap<>();
    Map<String, byte[]> blobs = new HashMap<>();
    image(
        "train",
        w -> {
          w.add(TarEntry.directory("etc"));
          byte[] passwd = "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
          w.add(TarEntry.file("etc/passwd", passwd.length), new ByteArrayInputStream(passwd));
          w.add(TarEntry.symlink("link", "etc/passwd"));
        },
        manifests,
        blobs);
    if (canRun()) {
      image(
          "train-sh",
          w -> {
            w.add(TarEntry.directory("bin"));
            try (var in = Files.newInputStream(BUSYBOX)) {
              w.add(TarEntry.file("bin/busybox", Files.size(BUSYBOX)).withMode(0755), in);
            }
            w.add(TarEntry.symlink("bin/sh", "busybox"));
            w.add(TarEntry.directory("etc"));
            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
            w.add(TarEntry.file("etc/passwd", passwd.length), new ByteArrayInputStream(passwd));
          },
          manifests,
          blobs);
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v2/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          int m = path.indexOf("/manifests/");
          int b = path.indexOf("/blobs/");
          if (path.equals("/v2/")) {
            send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          } else if (m > 0 && manifests.containsKey(path.substring(4, m))) {
            send(ex, 200, MediaTypes.OCI_MANIFEST, manifests.get(path.substring(4, m)));
          } else if (b > 0) {
            byte[] blob = blobs.get(path.substring(b + "/blobs/".length()));
            send(
                ex,
                blob == null ? 404 : 200,
                "application/octet-stream",
                blob == null ? new byte[0] : blob);
          } else {
            send(ex, 404, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          }
        });
    return server;
  }

  /** Adds one image of one layer: its manifest under {@code name}, its blobs by digest. */
  private static void image(
      String name, LayerContent content, Map<String, byte[]> manifests, Map<String, byte[]> blobs)
      throws IOException {
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    LayerDigests digests;
    try (LayerWriter w =
        LayerWriter.open(layer, LayerWriterOptions.defaults().withCompression(Compression.GZIP))) {
      content.write(w);
      digests = w.finish();
    }
    byte[] layerBytes = layer.toByteArray();
    JsonObject config =
        JsonObject.builder()
            .put("architecture", dev.jbuild.layercache.model.Platform.host().architecture())
            .put("os", "linux")
            .put(
                "config",
                JsonObject.builder()
                    .put("Env", Json.ofStrings(java.util.List.of("PATH=/bin")))
                    .build())
            .put(
                "rootfs",
                JsonObject.builder()
                    .put("type", "layers")
                    .put("diff_ids", Json.ofStrings(java.util.List.of(digests.diffId().toString())))
                    .build())
            .build();
    byte[] configBytes = config.toBytes();
    Digest configDigest = Digest.sha256(configBytes);
    JsonObject manifest =
        JsonObject.builder()
            .put("schemaVersion", 2)
            .put("mediaType", MediaTypes.OCI_MANIFEST)
            .put(
                "config",
                JsonObject.builder()
                    .put("mediaType", MediaTypes.OCI_CONFIG)
                    .put("digest", configDigest.toString())
                    .put("size", configBytes.length)
                    .build())
            .put(
                "layers",
                new JsonArray(
                    java.util.List.of(
                        JsonObject.builder()
                            .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                            .put("digest", digests.blobDigest().toString())
                            .put("size", layerBytes.length)
                            .build())))
            .build();
    manifests.put(name, manifest.toBytes());
    blobs.put(configDigest.toString(), configBytes);
    blobs.put(digests.blobDigest().toString(), layerBytes);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Docker-Content-Digest", Digest.sha256(body).toString());
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }
}

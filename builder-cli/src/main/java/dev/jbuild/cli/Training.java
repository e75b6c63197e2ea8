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
 * network, no runc.
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

  /** A registry API serving one image: a gzip layer of a few files, its config and manifest. */
  private static HttpServer registry() throws IOException {
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    LayerDigests digests;
    try (LayerWriter w =
        LayerWriter.open(layer, LayerWriterOptions.defaults().withCompression(Compression.GZIP))) {
      w.add(TarEntry.directory("etc"));
      byte[] passwd = "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
      w.add(TarEntry.file("etc/passwd", passwd.length), new ByteArrayInputStream(passwd));
      w.add(TarEntry.symlink("link", "etc/passwd"));
      digests = w.finish();
    }
    byte[] layerBytes = layer.toByteArray();
    JsonObject config =
        JsonObject.builder()
            .put("architecture", "amd64")
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
    byte[] manifestBytes = manifest.toBytes();
    Map<String, byte[]> blobs = new HashMap<>();
    blobs.put(configDigest.toString(), configBytes);
    blobs.put(digests.blobDigest().toString(), layerBytes);

    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v2/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          if (path.equals("/v2/")) {
            send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          } else if (path.startsWith("/v2/train/manifests/")) {
            send(ex, 200, MediaTypes.OCI_MANIFEST, manifestBytes);
          } else if (path.startsWith("/v2/train/blobs/")) {
            byte[] b = blobs.get(path.substring("/v2/train/blobs/".length()));
            send(
                ex, b == null ? 404 : 200, "application/octet-stream", b == null ? new byte[0] : b);
          } else {
            send(ex, 404, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
          }
        });
    return server;
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

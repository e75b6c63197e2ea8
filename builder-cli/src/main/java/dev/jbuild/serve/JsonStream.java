package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Docker's progress stream (build, pull, push, load): one JSON object per line, each flushed so the
 * client shows it at once. Thread-safe (stages and layers report in parallel). A write that fails
 * (the client went away) marks the stream broken; later writes are dropped.
 */
final class JsonStream {
  private final OutputStream out;
  private boolean broken;

  JsonStream(OutputStream out) {
    this.out = out;
  }

  synchronized void write(Json message) {
    if (broken) {
      return;
    }
    try {
      out.write((message + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      broken = true;
    }
  }

  /** {@code {"stream": text}} (build output). */
  void stream(String text) {
    write(JsonObject.builder().put("stream", text).build());
  }

  /** {@code {"status": text}} (pull, push). */
  void status(String text) {
    write(JsonObject.builder().put("status", text).build());
  }

  /** {@code {"aux": value}}: the image ID of a build, the digest of a push. */
  void aux(Json value) {
    write(JsonObject.builder().put("aux", value).build());
  }

  /** Docker's error message: the client prints it and fails. */
  void error(String message) {
    write(
        JsonObject.builder()
            .put("errorDetail", JsonObject.builder().put("message", message).build())
            .put("error", message)
            .build());
  }

  synchronized boolean broken() {
    return broken;
  }

  void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

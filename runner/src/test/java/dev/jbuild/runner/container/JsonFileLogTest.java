package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileLogTest {
  @TempDir Path dir;

  @Test
  void oneJsonLinePerLineSplitAt16KiB() throws Exception {
    Path f = dir.resolve("c-json.log");
    String longLine = "x".repeat(JsonFileLog.MAX_LINE + 10);
    try (JsonFileLog log = new JsonFileLog(f, HostConfig.LogConfig.DEFAULT)) {
      log.copy(
          new ByteArrayInputStream(
              ("a\n\"quoted\"\t\n" + longLine + "\nno newline").getBytes(StandardCharsets.UTF_8)),
          "stderr");
    }
    List<JsonObject> entries = Files.readAllLines(f).stream().map(Json::parseObject).toList();
    assertEquals(5, entries.size());
    assertEquals("a\n", entries.get(0).string("log"));
    assertEquals("stderr", entries.get(0).string("stream"));
    assertTrue(entries.get(0).string("time").endsWith("Z"));
    assertEquals("\"quoted\"\t\n", entries.get(1).string("log"));
    assertEquals(JsonFileLog.MAX_LINE, entries.get(2).string("log").length(), "split, no newline");
    assertEquals("x".repeat(10) + "\n", entries.get(3).string("log"));
    assertEquals("no newline", entries.get(4).string("log"));
  }

  @Test
  void rotatesAtMaxSizeKeepingMaxFiles() throws Exception {
    Path f = dir.resolve("c-json.log");
    try (JsonFileLog log = new JsonFileLog(f, new HostConfig.LogConfig(500, 3))) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 100; i++) {
        text.append("line ").append(i).append('\n');
      }
      log.copy(
          new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), "stdout");
    }
    List<Path> files = JsonFileLog.files(f, 3);
    assertEquals(List.of(dir.resolve("c-json.log.2"), dir.resolve("c-json.log.1"), f), files);
    int last = -1;
    for (Path p : files) {
      assertTrue(Files.size(p) <= 500, p + " " + Files.size(p));
      for (String l : Files.readAllLines(p)) {
        int n = Integer.parseInt(Json.parseObject(l).string("log").strip().substring(5));
        assertTrue(last < 0 || n == last + 1, "in order: " + n + " after " + last);
        last = n;
      }
    }
    assertEquals(99, last);
  }
}

package dev.jbuild.layercache.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageConfigTest {
  /** A Docker-built config with every member, Docker extensions and unknown members. */
  static final String DOCKER_CONFIG =
      """
      {"architecture":"arm","config":{"Hostname":"","User":"app:app","ExposedPorts":{"80/tcp":{},"53/udp":{}},\
      "Env":["PATH=/usr/bin:/bin","A=1"],"Cmd":["sh"],"Healthcheck":{"Test":["CMD-SHELL","true"],\
      "Interval":30000000000,"Timeout":1000000000,"StartPeriod":0,"StartInterval":5000000000,"Retries":3},\
      "ArgsEscaped":true,"Image":"sha256:abc","Volumes":{"/data":{}},"WorkingDir":"/app",\
      "Entrypoint":[],"OnBuild":null,"Labels":{"b":"2","a":"1"},"StopSignal":"SIGTERM",\
      "Shell":["/bin/sh","-c"]},"container":"deadbeef","container_config":{"Cmd":["/bin/sh"]},\
      "created":"2024-05-01T12:00:00.123456789Z","docker_version":"20.10.24","author":"me",\
      "history":[{"created":"2024-05-01T12:00:00Z","created_by":"ADD file:1 in /"},\
      {"created":"2024-05-01T12:00:01Z","created_by":"CMD [\\"sh\\"]","empty_layer":true,\
      "comment":"buildkit.dockerfile.v0","x-unknown":7}],"os":"linux","variant":"v7",\
      "rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"moby.buildkit.buildinfo.v1":"e30="}"""
          .formatted("a".repeat(64));

  @Test
  void dockerConfigRoundTripsByteForByte() {
    byte[] bytes = DOCKER_CONFIG.getBytes(StandardCharsets.UTF_8);
    ImageConfig c = ImageConfig.parse(bytes);
    assertEquals(DOCKER_CONFIG, new String(c.toBytes(), StandardCharsets.UTF_8));
    assertEquals(Digest.sha256(bytes), Digest.sha256(c.toBytes()));
  }

  @Test
  void everyFieldIsReadable() {
    ImageConfig c = ImageConfig.parse(DOCKER_CONFIG.getBytes(StandardCharsets.UTF_8));
    assertEquals(Instant.parse("2024-05-01T12:00:00.123456789Z"), c.createdInstant());
    assertEquals("me", c.author());
    assertEquals(new Platform("linux", "arm", "v7"), c.platform());
    ContainerConfig cc = c.config();
    assertEquals("app:app", cc.user());
    assertEquals(List.of("PATH=/usr/bin:/bin", "A=1"), cc.env());
    assertEquals("/usr/bin:/bin", cc.envValue("PATH"));
    assertEquals(List.of(), cc.entrypoint());
    assertTrue(cc.has("OnBuild"));
    assertNull(cc.onBuild());
    assertEquals(List.of("sh"), cc.cmd());
    assertEquals("/app", cc.workingDir());
    assertEquals(Map.of("a", "1", "b", "2"), cc.labels());
    assertEquals(List.of("b", "a"), List.copyOf(cc.labels().keySet()));
    assertEquals(Set.of("80/tcp", "53/udp"), cc.exposedPorts());
    assertEquals(Set.of("/data"), cc.volumes());
    assertEquals("SIGTERM", cc.stopSignal());
    assertEquals(Boolean.TRUE, cc.argsEscaped());
    assertEquals(List.of("/bin/sh", "-c"), cc.shell());
    HealthConfig hc = cc.healthcheck();
    assertEquals(List.of("CMD-SHELL", "true"), hc.test());
    assertEquals(Duration.ofSeconds(30), hc.interval());
    assertEquals(Duration.ofSeconds(1), hc.timeout());
    assertEquals(Duration.ZERO, hc.startPeriod());
    assertEquals(Duration.ofSeconds(5), hc.startInterval());
    assertEquals(3, hc.retries());
    List<History> h = c.history();
    assertEquals(2, h.size());
    assertFalse(h.get(0).isEmptyLayer());
    assertTrue(h.get(1).isEmptyLayer());
    assertEquals("buildkit.dockerfile.v0", h.get(1).comment());
    assertEquals("{\"x-unknown\":7}", h.get(1).extra().toString());
    assertEquals(List.of(Digest.parse("sha256:" + "a".repeat(64))), c.diffIds());
  }

  @Test
  void withEnvReplacesInPlaceOrAppends() {
    ImageConfig c = ImageConfig.parse(DOCKER_CONFIG.getBytes(StandardCharsets.UTF_8));
    ImageConfig d = c.withEnv("PATH", "/x").withEnv("B", "2");
    assertEquals(List.of("PATH=/x", "A=1", "B=2"), d.config().env());
    assertEquals(List.of("PATH=/usr/bin:/bin", "A=1"), c.config().env(), "original unchanged");
    // unknown members survive edits
    assertEquals("deadbeef", d.json().string("container"));
    assertEquals("", d.config().json().string("Hostname"));
  }

  @Test
  void nullEmptyAndAbsentStayApartThroughEdits() {
    ImageConfig c = ImageConfig.empty(Platform.parse("linux/amd64"));
    assertFalse(c.config().has("Entrypoint"));
    ImageConfig empty = c.withEntrypoint(List.of());
    ImageConfig nul = c.withEntrypoint(null);
    assertEquals(List.of(), reparse(empty).config().entrypoint());
    assertTrue(reparse(nul).config().has("Entrypoint"));
    assertNull(reparse(nul).config().entrypoint());
    assertTrue(reparse(empty).json().toString().contains("\"Entrypoint\":[]"));
    assertTrue(reparse(nul).json().toString().contains("\"Entrypoint\":null"));
  }

  @Test
  void buildsANewConfigStepByStep() {
    Instant t = Instant.parse("2025-01-02T03:04:05Z");
    Digest diff = Digest.sha256(new byte[] {1});
    ImageConfig c =
        ImageConfig.empty(Platform.parse("linux/arm64/v8"))
            .withCreated(t)
            .withAddedLayer(diff, History.of(t, "COPY a /a", null, false))
            .withAddedHistory(History.of(t, "ENV K=V", null, true))
            .withEnv("K", "V")
            .withExposedPort("80")
            .withVolume("/v")
            .withLabel("l", "1")
            .withUser("1000")
            .withWorkingDir("/w")
            .withStopSignal("SIGINT")
            .withShell(List.of("/bin/bash", "-c"))
            .withOnBuild(List.of("RUN x"))
            .withArgsEscaped(true)
            .withHealthcheck(HealthConfig.none())
            .withCmd(List.of("run"));
    ImageConfig r = reparse(c);
    assertEquals(r, c);
    assertEquals("arm64", r.architecture());
    assertNull(r.variant());
    assertEquals(t, r.createdInstant());
    assertEquals(List.of(diff), r.diffIds());
    assertEquals(2, r.history().size());
    assertTrue(r.history().get(1).isEmptyLayer());
    assertEquals(Set.of("80/tcp"), r.config().exposedPorts());
    assertEquals(List.of("NONE"), r.config().healthcheck().test());
    assertEquals(
        "{\"architecture\":\"arm64\",\"os\":\"linux\",\"config\":{\"Env\":[\"K=V\"],"
            + "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/v\":{}},\"Labels\":{\"l\":\"1\"},"
            + "\"User\":\"1000\",\"WorkingDir\":\"/w\",\"StopSignal\":\"SIGINT\","
            + "\"Shell\":[\"/bin/bash\",\"-c\"],\"OnBuild\":[\"RUN x\"],\"ArgsEscaped\":true,"
            + "\"Healthcheck\":{\"Test\":[\"NONE\"]},\"Cmd\":[\"run\"]},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + diff
            + "\"]},\"history\":[{\"created\":\"2025-01-02T03:04:05Z\",\"created_by\":\"COPY a /a\"},"
            + "{\"created\":\"2025-01-02T03:04:05Z\",\"created_by\":\"ENV K=V\",\"empty_layer\":true}],"
            + "\"created\":\"2025-01-02T03:04:05Z\"}",
        r.json().toString());
  }

  @Test
  void malformedMembersAreNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageConfig.parse("{\"config\":{\"Env\":\"A=1\"}}".getBytes()));
    assertTrue(e.getMessage().contains("\"Env\""), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageConfig.parse("{\"rootfs\":{\"diff_ids\":[\"sha256:12\"]}}".getBytes()));
    assertTrue(e.getMessage().contains("rootfs.diff_ids[0]"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageConfig.parse("{\"created\":\"yesterday\"}".getBytes()));
    assertTrue(e.getMessage().contains("yesterday"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ImageConfig.parse("[1]".getBytes()));
    assertTrue(e.getMessage().contains("object"), e.getMessage());
  }

  private static ImageConfig reparse(ImageConfig c) {
    return new ImageConfig(Json.parseObject(c.toBytes()));
  }
}

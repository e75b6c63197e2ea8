package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.HealthConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostConfigTest {
  @Test
  void restartPolicies() {
    HostConfig.RestartPolicy no = HostConfig.RestartPolicy.parse("no");
    assertFalse(no.restarts(1, 0, false));
    HostConfig.RestartPolicy onFailure = HostConfig.RestartPolicy.parse("on-failure:2");
    assertTrue(onFailure.restarts(1, 0, false));
    assertTrue(onFailure.restarts(1, 1, false));
    assertFalse(onFailure.restarts(1, 2, false), "2 restarts at most");
    assertFalse(onFailure.restarts(0, 0, false), "not after success");
    assertTrue(HostConfig.RestartPolicy.parse("on-failure").restarts(1, 1000, false));
    HostConfig.RestartPolicy always = HostConfig.RestartPolicy.parse("always");
    assertTrue(always.restarts(0, 5, false));
    assertFalse(always.restarts(0, 5, true), "never after stop or kill");
    assertTrue(HostConfig.RestartPolicy.parse("unless-stopped").restarts(0, 0, false));
    for (String bad : List.of("sometimes", "always:3", "on-failure:x", "on-failure:-1")) {
      assertThrows(IllegalArgumentException.class, () -> HostConfig.RestartPolicy.parse(bad), bad);
    }
  }

  @Test
  void logOptionsAsDockerSpellsThem() {
    HostConfig.LogConfig c = HostConfig.LogConfig.DEFAULT.with("max-size=2k").with("max-file=5");
    assertEquals(2000, c.maxSize());
    assertEquals(5, c.maxFiles());
    assertEquals(10_000_000, HostConfig.LogConfig.DEFAULT.with("max-size=10m").maxSize());
    assertEquals(1_500_000_000L, HostConfig.LogConfig.DEFAULT.with("max-size=1.5g").maxSize());
    for (String bad : List.of("max-size=none", "max-size=0", "max-file=0", "mode=non-blocking")) {
      assertThrows(
          IllegalArgumentException.class, () -> HostConfig.LogConfig.DEFAULT.with(bad), bad);
    }
  }

  @Test
  void roundTripAndHealthOverrides() {
    HostConfig hc =
        new HostConfig(
            HostConfig.RestartPolicy.parse("on-failure:3"),
            HostConfig.LogConfig.DEFAULT.with("max-file=1"),
            "none",
            true,
            null);
    HostConfig back = HostConfig.fromJson(Json.parseObject(hc.toJson().toBytes()));
    assertEquals(hc, back);

    HealthConfig image =
        HealthConfig.of(List.of("CMD", "true"), Duration.ofSeconds(5), null, null, null, 4);
    HostConfig cli =
        new HostConfig(
            null,
            null,
            null,
            false,
            HealthConfig.of(null, Duration.ofSeconds(1), null, null, null, null));
    HealthConfig merged = cli.effectiveHealth(image);
    assertEquals(List.of("CMD", "true"), merged.test());
    assertEquals(Duration.ofSeconds(1), merged.interval());
    assertEquals(4, merged.retries());
    assertEquals(null, cli.effectiveHealth(null), "no test: no healthcheck");
    HostConfig none = new HostConfig(null, null, null, false, HealthConfig.none());
    assertEquals(List.of("NONE"), none.effectiveHealth(image).test());
  }

  @Test
  void securitySettingsRoundTripAsDockersHostConfigKeys() {
    HostConfig hc =
        new HostConfig(
            null,
            null,
            null,
            false,
            null,
            null,
            HostConfig.Security.of(
                List.of("net_admin"), List.of("ALL"), true, "--cap-add", "--cap-drop"));
    var json = hc.toJson();
    assertEquals("[\"CAP_NET_ADMIN\"]", json.get("CapAdd").toString());
    assertEquals("[\"ALL\"]", json.get("CapDrop").toString());
    assertEquals("true", json.get("ReadonlyRootfs").toString());
    assertEquals(hc, HostConfig.fromJson(Json.parseObject(json.toBytes())));
    assertEquals(List.of("CAP_NET_ADMIN"), hc.security().capabilities());
    // none given: docker's nulls and false
    assertEquals("null", HostConfig.DEFAULT.toJson().get("CapAdd").toString());
    assertEquals(
        HostConfig.Security.NONE, HostConfig.fromJson(HostConfig.DEFAULT.toJson()).security());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostConfig.Security.of(List.of("nope"), List.of(), false, "--cap-add", "x"));
    assertEquals("--cap-add: unknown capability: \"CAP_NOPE\"", e.getMessage());
  }
}

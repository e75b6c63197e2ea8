package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunSettingsParseTest {
  @Test
  void ulimitsAsDocker() {
    assertEquals(new Rlimit("RLIMIT_NOFILE", 1024, 2048), Rlimit.parse("nofile=1024:2048"));
    assertEquals(new Rlimit("RLIMIT_NPROC", 7, 7), Rlimit.parse("nproc=7"));
    assertEquals(new Rlimit("RLIMIT_MEMLOCK", -1, -1), Rlimit.parse("memlock=-1:-1"));
    assertEquals(new Rlimit("RLIMIT_STACK", 10, -1), Rlimit.parse("stack=10:-1"));
    for (String bad : List.of("nofile", "bogus=1", "nofile=a", "nofile=3:2", "nofile=1:2:3")) {
      assertThrows(IllegalArgumentException.class, () -> Rlimit.parse(bad), bad);
    }
    assertEquals(
        "ulimit soft limit must be less than or equal to hard limit: 3 > 2",
        assertThrows(IllegalArgumentException.class, () -> Rlimit.parse("nofile=3:2"))
            .getMessage());
    assertEquals("18446744073709551615", Rlimit.specValue(-1));
  }

  @Test
  void addHostAsDocker() {
    assertEquals(new ExtraHost("db", "10.0.0.5"), ExtraHost.parse("db:10.0.0.5"));
    assertEquals(new ExtraHost("db", "10.0.0.5"), ExtraHost.parse("db=10.0.0.5"));
    assertEquals(new ExtraHost("v6", "::1"), ExtraHost.parse("v6:::1"));
    assertEquals(new ExtraHost("v6", "fe80::1"), ExtraHost.parse("v6=[fe80::1]"));
    assertEquals(new ExtraHost("gw", "host-gateway"), ExtraHost.parse("gw:host-gateway"));
    for (String bad : List.of("db", ":1.2.3.4", "db:example.com", "db:1.2.3.400", "a b:1.2.3.4")) {
      assertThrows(IllegalArgumentException.class, () -> ExtraHost.parse(bad), bad);
    }
    assertEquals("10.0.2.2\tgw\n", ExtraHost.parse("gw:host-gateway").hostsLine("10.0.2.2"));
    assertTrue(ExtraHost.isIpLiteral("2001:db8::1"));
    assertFalse(ExtraHost.isIpLiteral("localhost"));
  }
}

package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.container.PortMapping;
import dev.jbuild.runner.container.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code run -p}, {@code -v}, {@code --mount}, {@code --dns} and {@code --add-host} as Docker reads
 * them.
 */
class RunWiringOptionsTest {
  @Test
  void publishSpellings() {
    assertEquals(new PortMapping("", 0, 80, "tcp"), NetworkOptions.parsePublish("80"));
    assertEquals(new PortMapping("", 8080, 80, "tcp"), NetworkOptions.parsePublish("8080:80"));
    assertEquals(
        new PortMapping("127.0.0.1", 8080, 80, "udp"),
        NetworkOptions.parsePublish("127.0.0.1:8080:80/udp"));
    assertEquals(
        new PortMapping("127.0.0.1", 0, 53, "udp"),
        NetworkOptions.parsePublish("127.0.0.1::53/UDP"));
    assertEquals(
        new PortMapping("::1", 9000, 90, "tcp"), NetworkOptions.parsePublish("[::1]:9000:90"));
    for (String bad :
        List.of("0", "70000", "a:80", "1-5:80", "80/sctp", "host:1:2", "1:2:3:4", "")) {
      UserException e = assertThrows(UserException.class, () -> NetworkOptions.parsePublish(bad));
      assertEquals(ExitCodes.USAGE, e.exitCode(), bad);
    }
    assertEquals(
        "80/tcp -> 127.0.0.1:8080", new PortMapping("127.0.0.1", 8080, 80, "tcp").describe());
    assertEquals("53/udp -> 0.0.0.0:5353", new PortMapping("", 5353, 53, "udp").describe());
  }

  @Test
  void volumesAndMounts() throws Exception {
    List<RunMount> binds = new ArrayList<>();
    List<VolumeMount> vols = new ArrayList<>();
    RunMounts.volume("data:/var/lib/x:ro", binds, vols);
    RunMounts.volume("/anon", binds, vols);
    RunMounts.volume("seed:/s:nocopy,rw", binds, vols);
    RunMounts.mount("type=volume,src=v2,dst=/v,readonly", binds, vols);
    RunMounts.mount("type=volume,target=/anon2,volume-nocopy", binds, vols);
    RunMounts.mount("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", binds, vols);
    RunMounts.mount("type=bind,source=/,target=/host,ro=true", binds, vols);
    assertEquals(
        List.of(
            new VolumeMount("data", "/var/lib/x", true, false),
            new VolumeMount(null, "/anon", false, false),
            new VolumeMount("seed", "/s", false, true),
            new VolumeMount("v2", "/v", true, false),
            new VolumeMount(null, "/anon2", false, true)),
        vols);
    assertEquals(
        List.of(
            new RunMount.Tmpfs("/t", 64L << 20, 01770),
            new RunMount.Bind(java.nio.file.Path.of("/"), "/host", true)),
        binds);
    for (String bad :
        List.of(
            "type=nfs,target=/x",
            "type=volume",
            "type=volume,source=x y,target=/x",
            "type=tmpfs,source=a,target=/x",
            "type=tmpfs,target=/x,tmpfs-size=lots",
            "type=bind,source=rel,target=/x",
            "type=volume,target=/x,color=red")) {
      UserException e =
          assertThrows(UserException.class, () -> RunMounts.mount(bad, binds, vols), bad);
      assertEquals(ExitCodes.USAGE, e.exitCode(), bad);
    }
    for (String bad : List.of("./x:/y", "data:rel", "data:/y:bogus", "a:b:c:d")) {
      assertThrows(UserException.class, () -> RunMounts.volume(bad, binds, vols), bad);
    }
  }

  @Test
  void dnsAndHosts() {
    assertEquals(List.of("10.0.2.3", "::1"), NetworkOptions.parseDns(List.of("10.0.2.3", "::1")));
    assertThrows(UserException.class, () -> NetworkOptions.parseDns(List.of("dns.example")));
    assertThrows(UserException.class, () -> NetworkOptions.parseDns(List.of("300.1.1.1")));
    assertEquals(
        List.of("db:192.0.2.1", "gw:10.0.2.2", "v6:2001:db8::1"),
        NetworkOptions.parseAddHosts(List.of("db:192.0.2.1", "gw=host-gateway", "v6:2001:db8::1")));
    assertThrows(UserException.class, () -> NetworkOptions.parseAddHosts(List.of("nohost")));
    assertThrows(UserException.class, () -> NetworkOptions.parseAddHosts(List.of("x:name")));
  }
}

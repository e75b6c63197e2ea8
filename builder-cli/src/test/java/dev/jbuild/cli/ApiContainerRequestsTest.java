package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.container.PortMapping;
import dev.jbuild.runner.container.RunOptions;
import dev.jbuild.runner.container.TtyConsole;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker's create body read into jbuild's run options: what is honoured, what is refused. */
class ApiContainerRequestsTest {
  /** What docker CLI 28 sends for {@code docker run --rm busybox echo hi} (captured). */
  static final String DOCKER_RUN_RM =
      """
      {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,
      "AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,
      "Cmd":["echo","hi"],"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,
      "OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"",
      "LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},
      "RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"",
      "VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"",
      "Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"",
      "Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,
      "PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"",
      "UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,
      "CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],
      "BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,
      "CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"",
      "Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,
      "MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],
      "CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,
      "ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,
      "Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,
      "NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,
      "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}
      """;

  private static JsonObject body(String json) {
    return Json.parseObject(json);
  }

  private static JsonObject edit(String path, String json) {
    JsonObject b = body(DOCKER_RUN_RM);
    String[] p = path.split("\\.");
    if (p.length == 1) {
      return b.with(p[0], Json.parse(json));
    }
    return b.with(p[0], b.object(p[0]).with(p[1], Json.parse(json)));
  }

  @Test
  void whatTheDockerCliSendsByDefaultIsAccepted() throws IOException {
    RunOptions o = ApiContainerRequests.runOptions(body(DOCKER_RUN_RM), "n1");
    assertEquals(List.of("echo", "hi"), o.command());
    assertNull(o.entrypoint());
    assertTrue(o.autoRemove());
    assertTrue(o.detach());
    assertEquals("n1", o.name());
    assertEquals(Network.PRIVATE, o.network());
    assertTrue(o.volumes().isEmpty());
    assertEquals("no", o.hostConfig().restart().name());
  }

  @Test
  void aFieldJbuildCannotHonourIsRefusedByName() {
    for (var c :
        Map.of(
                "HostConfig.PidMode", "\"host\"",
                "HostConfig.IpcMode", "\"host\"",
                "HostConfig.ShmSize", "1024",
                "HostConfig.Devices", "[{\"PathOnHost\":\"/dev/kmsg\"}]",
                "MacAddress", "\"02:42:ac:11:00:02\"",
                "Domainname", "\"example.com\"")
            .entrySet()) {
      UserException e =
          assertThrows(
              UserException.class,
              () -> ApiContainerRequests.runOptions(edit(c.getKey(), c.getValue()), null),
              c.getKey());
      assertEquals(ExitCodes.USAGE, e.exitCode());
      assertEquals(c.getKey() + ": not supported by jbuild's daemon", e.getMessage());
    }
    UserException privileged =
        assertThrows(
            UserException.class,
            () -> ApiContainerRequests.runOptions(edit("HostConfig.Privileged", "true"), null));
    assertEquals(
        "HostConfig.Privileged: jbuild does not run privileged containers",
        privileged.getMessage());
    // standard input only with a terminal (the monitor feeds a pty, not a pipe)
    UserException stdin =
        assertThrows(
            UserException.class,
            () -> ApiContainerRequests.runOptions(edit("OpenStdin", "true"), null));
    assertTrue(stdin.getMessage().startsWith("OpenStdin: "), stdin.getMessage());
  }

  @Test
  void ttyWithStdinAndConsoleSizeIsATerminal() throws IOException {
    JsonObject b =
        edit("Tty", "true")
            .with("OpenStdin", Json.of(true))
            .with("AttachStdin", Json.of(true))
            .with("StdinOnce", Json.of(true));
    b = b.with("HostConfig", b.object("HostConfig").with("ConsoleSize", Json.parse("[33,101]")));
    RunOptions o = ApiContainerRequests.runOptions(b, null);
    assertTrue(o.tty());
    assertTrue(o.interactive());
    assertEquals(new TtyConsole.Settings(true, true, true, 33, 101), ApiContainerRequests.stdio(b));
    assertEquals(TtyConsole.Settings.NONE, ApiContainerRequests.stdio(edit("StdinOnce", "false")));
  }

  @Test
  void capabilitiesReadOnlyRootAndStopSettingsAreHonoured() throws IOException {
    JsonObject b =
        edit("HostConfig.CapAdd", "[\"CAP_NET_ADMIN\"]")
            .with("StopSignal", Json.parse("\"SIGUSR1\""))
            .with("StopTimeout", Json.parse("3"));
    b = b.with("HostConfig", b.object("HostConfig").with("CapDrop", Json.parse("[\"chown\"]")));
    b = b.with("HostConfig", b.object("HostConfig").with("ReadonlyRootfs", Json.parse("true")));
    RunOptions o = ApiContainerRequests.runOptions(b, null);
    assertEquals(List.of("CAP_NET_ADMIN"), o.hostConfig().security().capAdd());
    assertEquals(List.of("CAP_CHOWN"), o.hostConfig().security().capDrop());
    assertTrue(o.hostConfig().security().readonlyRootfs());
    assertTrue(o.hostConfig().security().capabilities().contains("CAP_NET_ADMIN"));
    assertFalse(o.hostConfig().security().capabilities().contains("CAP_CHOWN"));
    assertEquals("SIGUSR1", o.stopSignal());
    assertEquals(3, o.stopTimeout());

    UserException cap =
        assertThrows(
            UserException.class,
            () -> ApiContainerRequests.runOptions(edit("HostConfig.CapDrop", "[\"FOO\"]"), null));
    assertEquals(ExitCodes.USAGE, cap.exitCode());
    assertEquals("HostConfig.CapDrop: unknown capability: \"CAP_FOO\"", cap.getMessage());
    UserException sig =
        assertThrows(
            UserException.class,
            () -> ApiContainerRequests.runOptions(edit("StopSignal", "\"SIGFOO\""), null));
    assertEquals("StopSignal: invalid signal: SIGFOO", sig.getMessage());
  }

  @Test
  void entrypointArrayCmdPortsBindsAndNetworkAliases() throws IOException {
    JsonObject b =
        edit("Entrypoint", "[\"sh\",\"-c\"]")
            .with("Cmd", Json.parse("[\"echo $X\"]"))
            .with("Env", Json.parse("[\"X=1\"]"));
    JsonObject hc =
        b.object("HostConfig")
            .with(
                "PortBindings",
                Json.parse("{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}]}"))
            .with("Binds", Json.parse("[\"vol1:/data:ro\"]"))
            .with("NetworkMode", Json.of("net1"))
            .with("RestartPolicy", Json.parse("{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}"))
            .with("AutoRemove", Json.of(false))
            .with("Memory", Json.of(64L << 20))
            .with("Tmpfs", Json.parse("{\"/run\":\"size=1m\"}"));
    b =
        b.with("HostConfig", hc)
            .with(
                "NetworkingConfig",
                Json.parse("{\"EndpointsConfig\":{\"net1\":{\"Aliases\":[\"web\"]}}}"));
    RunOptions o = ApiContainerRequests.runOptions(b, null);
    assertEquals("sh", o.entrypoint());
    assertEquals(List.of("-c", "echo $X"), o.command());
    assertEquals(List.of("X=1"), o.env());
    assertEquals(List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp")), o.wiring().ports());
    assertEquals("vol1", o.wiring().volumes().getFirst().name());
    assertTrue(o.wiring().volumes().getFirst().readOnly());
    assertEquals("net1", o.wiring().userNetwork());
    assertEquals(List.of("web"), o.wiring().aliases());
    assertEquals("on-failure", o.hostConfig().restart().name());
    assertEquals(2, o.hostConfig().restart().maximumRetryCount());
    assertEquals(64L << 20, o.hostConfig().resources().memory());
    assertFalse(o.autoRemove());
    assertEquals(new RunMount.Tmpfs("/run", 1 << 20, 01777), o.volumes().getFirst());
  }

  @Test
  void autoRemoveWithARestartPolicyIsRefused() {
    JsonObject b = body(DOCKER_RUN_RM);
    JsonObject hc =
        b.object("HostConfig")
            .with("RestartPolicy", Json.parse("{\"Name\":\"always\",\"MaximumRetryCount\":0}"));
    UserException e =
        assertThrows(
            UserException.class,
            () -> ApiContainerRequests.runOptions(b.with("HostConfig", hc), null));
    assertEquals(ExitCodes.USAGE, e.exitCode());
  }
}

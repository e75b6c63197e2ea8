package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** The API area of _ping, version, info, events, system df. */
final class SystemRoutes implements Routes {
  private final ServeContext context;

  SystemRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router.add("GET", "/_ping", this::ping);
    router.add("GET", "/version", this::version);
    router.add("GET", "/info", this::info);
    router.add("POST", "/auth", call -> RegistryLogin.serve(context, call));
    router.add("GET", "/events", call -> SystemEvents.serve(context.events(), call));
    router.add("GET", "/system/df", call -> SystemDf.serve(context, call));
  }

  private void ping(ApiCall call) throws IOException {
    call.text(200, "text/plain; charset=utf-8", "OK");
  }

  /** Go's GOARCH for this machine. */
  static String goArch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  private void version(ApiCall call) throws IOException {
    String v = ApiServer.version();
    String kernel = System.getProperty("os.version");
    JsonObject details =
        JsonObject.builder()
            .put("ApiVersion", ApiServer.API_VERSION)
            .put("Arch", goArch())
            .put("BuildTime", "")
            .put("Experimental", "false")
            .put("GitCommit", "")
            .put("GoVersion", "java" + Runtime.version().feature())
            .put("KernelVersion", kernel)
            .put("MinAPIVersion", ApiServer.MIN_API_VERSION)
            .put("Os", "linux")
            .build();
    call.json(
        200,
        JsonObject.builder()
            .put("Platform", JsonObject.builder().put("Name", "jbuild").build())
            .put(
                "Components",
                JsonArray.of(
                    JsonObject.builder()
                        .put("Name", "Engine")
                        .put("Version", v)
                        .put("Details", details)
                        .build()))
            .put("Version", v)
            .put("ApiVersion", ApiServer.API_VERSION)
            .put("MinAPIVersion", ApiServer.MIN_API_VERSION)
            .put("GitCommit", "")
            .put("GoVersion", "java" + Runtime.version().feature())
            .put("Os", "linux")
            .put("Arch", goArch())
            .put("KernelVersion", kernel)
            .put("BuildTime", "")
            .build());
  }

  private void info(ApiCall call) throws IOException {
    int images;
    int running = 0;
    int paused = 0;
    int stopped = 0;
    try (Store store = Store.open(context.storeRoot())) {
      Set<String> manifests = new HashSet<>();
      store.images().list().forEach(d -> manifests.add(d.digest().toString()));
      images = manifests.size();
      try {
        for (ContainerState c : Containers.open(store, null).list()) {
          switch (c.status()) {
            case RUNNING, RESTARTING -> running++;
            case PAUSED -> paused++;
            default -> stopped++;
          }
        }
      } catch (IOException | RuntimeException e) {
        // no runtime: no containers to count
      }
    }
    String arch =
        System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
    call.json(
        200,
        JsonObject.builder()
            .put("ID", "jbuild:" + context.storeRoot())
            .put("Containers", running + paused + stopped)
            .put("ContainersRunning", running)
            .put("ContainersPaused", paused)
            .put("ContainersStopped", stopped)
            .put("Images", images)
            .put("Driver", "overlayfs")
            .put("DriverStatus", JsonArray.EMPTY)
            .put(
                "Plugins",
                JsonObject.builder()
                    .put("Volume", Json.ofStrings(java.util.List.of("local")))
                    .put("Network", Json.ofStrings(java.util.List.of("bridge", "host", "none")))
                    .put("Authorization", Json.ofStrings(null))
                    .put("Log", Json.ofStrings(java.util.List.of("json-file")))
                    .build())
            .put("MemoryLimit", false)
            .put("SwapLimit", false)
            .put("CpuCfsPeriod", false)
            .put("CpuCfsQuota", false)
            .put("CPUShares", false)
            .put("CPUSet", false)
            .put("PidsLimit", false)
            .put("IPv4Forwarding", false)
            .put("BridgeNfIptables", false)
            .put("BridgeNfIp6tables", false)
            .put("Debug", false)
            .put("NFd", 0)
            .put("OomKillDisable", false)
            .put("NGoroutines", Thread.activeCount())
            .put("SystemTime", Instant.now().toString())
            .put("LoggingDriver", "json-file")
            .put("CgroupDriver", "none")
            .put("CgroupVersion", "2")
            .put("NEventsListener", 0)
            .put("KernelVersion", System.getProperty("os.version"))
            .put("OperatingSystem", "jbuild " + ApiServer.version())
            .put("OSVersion", "")
            .put("OSType", "linux")
            .put("Architecture", arch)
            .put("IndexServerAddress", "https://index.docker.io/v1/")
            .put(
                "RegistryConfig",
                JsonObject.builder()
                    .put("AllowNondistributableArtifactsCIDRs", JsonArray.EMPTY)
                    .put("AllowNondistributableArtifactsHostnames", JsonArray.EMPTY)
                    .put("InsecureRegistryCIDRs", Json.ofStrings(java.util.List.of("127.0.0.0/8")))
                    .put("IndexConfigs", JsonObject.EMPTY)
                    .put("Mirrors", JsonArray.EMPTY)
                    .build())
            .put("NCPU", Runtime.getRuntime().availableProcessors())
            .put("MemTotal", memTotal())
            .put("GenericResources", Json.ofStrings(null))
            .put("DockerRootDir", context.storeRoot().toString())
            .put("HttpProxy", context.env().getOrDefault("HTTP_PROXY", ""))
            .put("HttpsProxy", context.env().getOrDefault("HTTPS_PROXY", ""))
            .put("NoProxy", context.env().getOrDefault("NO_PROXY", ""))
            .put("Name", hostname())
            .put("Labels", JsonArray.EMPTY)
            .put("ExperimentalBuild", false)
            .put("ServerVersion", ApiServer.version())
            .put(
                "Runtimes",
                JsonObject.builder()
                    .put("runc", JsonObject.builder().put("path", "runc").build())
                    .build())
            .put("DefaultRuntime", "runc")
            .put(
                "Swarm",
                JsonObject.builder()
                    .put("NodeID", "")
                    .put("NodeAddr", "")
                    .put("LocalNodeState", "inactive")
                    .put("ControlAvailable", false)
                    .put("Error", "")
                    .put("RemoteManagers", Json.ofStrings(null))
                    .build())
            .put("LiveRestoreEnabled", false)
            .put("Isolation", "")
            .put("InitBinary", "")
            .put("SecurityOptions", JsonArray.EMPTY)
            .put("Warnings", JsonArray.EMPTY)
            .build());
  }

  private static long memTotal() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return 0;
  }

  private static String hostname() {
    // through a stream: JDK 25's Files.readString can return part of a /proc/sys file (it gave
    // "4" for cap_last_cap's "40")
    try (var in =
        java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys/kernel/hostname"))) {
      return new String(in.readNBytes(256), java.nio.charset.StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "jbuild";
    }
  }
}

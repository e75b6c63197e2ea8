package dev.jbuild.bench.registry;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.RandomImages;
import dev.jbuild.testing.RandomImages.LayerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Push and pull of images shaped like the lab's {@code app} (2,000 files, ~45 MB) and {@code
 * bigctx} (4 x 192 MiB random + 5,000 small files) to a local docker-registry, next to {@code
 * skopeo copy} of the same images (OCI layout -> registry with gzip, registry -> OCI layout).
 * Prints MiB/s of the uncompressed image size, median of RUNS (default 3). Run with
 * bench/registry-bench.sh.
 */
public final class RegistryBench {
  private RegistryBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
    List<String> scenarios = args.length > 0 ? List.of(args) : List.of("app", "bigctx");
    Path work =
        Files.createTempDirectory(
            Path.of(System.getenv().getOrDefault("BENCH_TMP", "/var/tmp")),
            "jbuild-registry-bench-");
    Map<String, List<LayerSpec>> shapes =
        Map.of(
            "app", List.of(new LayerSpec(0, 0, 0), new LayerSpec(2000, 2, 14L << 20)),
            "bigctx", List.of(new LayerSpec(5000, 4, 192L << 20)));
    System.out.printf(
        Locale.ROOT, "%-8s %-22s %10s %10s%n", "image", "operation", "seconds", "MiB/s");
    try {
      for (String name : scenarios) {
        Path src = work.resolve(name + "-src");
        long size;
        Descriptor image;
        try (Store store = Store.open(src)) {
          image =
              RandomImages.create(
                  store, name + ":1", shapes.get(name), 7, Platform.parse("linux/amd64"));
          size = store.images().manifest(image.digest()).contentSize();
        }
        double mib = size / (1024.0 * 1024.0);
        var jPush = new ArrayList<Double>();
        var jPull = new ArrayList<Double>();
        var jPushZstd = new ArrayList<Double>();
        var sPush = new ArrayList<Double>();
        var sPull = new ArrayList<Double>();
        for (int run = 0; run < runs; run++) {
          // a fresh registry per run: nothing is already there for either tool to skip
          try (LocalRegistry registry = LocalRegistry.start()) {
            // jbuild push: a fresh copy of the source store each run, so the compressed layers it
            // keeps from an earlier run do not make it free
            Path s = work.resolve(name + "-push-" + run);
            copyTree(src, s);
            String ref = registry.host() + "/jbuild/" + name + run + ":1";
            try (Store store = Store.open(s);
                Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
              long t0 = System.nanoTime();
              new Pusher(store, regs, Progress.none())
                  .push(image, ImageReference.parse(ref), PushOptions.defaults());
              jPush.add((System.nanoTime() - t0) / 1e9);
            }
            deleteTree(s);
            copyTree(src, s);
            try (Store store = Store.open(s);
                Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
              long t0 = System.nanoTime();
              new Pusher(store, regs, Progress.none())
                  .push(
                      image,
                      ImageReference.parse(registry.host() + "/jbuild-zstd/" + name + ":1"),
                      PushOptions.defaults().withCompression(Compression.ZSTD));
              jPushZstd.add((System.nanoTime() - t0) / 1e9);
            }
            deleteTree(s);
            Path d = work.resolve(name + "-pull-" + run);
            try (Store store = Store.open(d);
                Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
              long t0 = System.nanoTime();
              new Puller(store, regs, Progress.none())
                  .pull(
                      ImageReference.parse(ref),
                      Platform.parse("linux/amd64"),
                      PullOptions.defaults());
              jPull.add((System.nanoTime() - t0) / 1e9);
            }
            deleteTree(d);
            String sref = registry.host() + "/skopeo/" + name + run + ":1";
            sPush.add(
                time(
                    "skopeo",
                    "--insecure-policy",
                    "copy",
                    "--dest-tls-verify=false",
                    "--dest-compress-format=gzip",
                    "--dest-compress",
                    "oci:" + src + ":" + name + ":1",
                    "docker://" + sref));
            Path o = work.resolve(name + "-skopeo-oci-" + run);
            sPull.add(
                time(
                    "skopeo",
                    "--insecure-policy",
                    "copy",
                    "--src-tls-verify=false",
                    "docker://" + sref,
                    "oci:" + o + ":x"));
            deleteTree(o);
          }
        }
        report(name, "jbuild push (gzip)", jPush, mib);
        report(name, "skopeo copy -> registry", sPush, mib);
        report(name, "jbuild push (zstd)", jPushZstd, mib);
        report(name, "jbuild pull", jPull, mib);
        report(name, "skopeo copy <- registry", sPull, mib);
      }
    } finally {
      deleteTree(work);
    }
  }

  private static void report(String image, String op, List<Double> seconds, double mib) {
    List<Double> sorted = seconds.stream().sorted().toList();
    double median = sorted.get(sorted.size() / 2);
    System.out.printf(
        Locale.ROOT,
        "%-8s %-22s %10.2f %10.1f   (%.0f MiB; runs %s)%n",
        image,
        op,
        median,
        mib / median,
        mib,
        sorted);
  }

  private static double time(String... cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (p.waitFor() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
          // the same modes: a store root others can reach is refused (StorePermissions)
          Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(p));
        } else {
          Files.createLink(t, p);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

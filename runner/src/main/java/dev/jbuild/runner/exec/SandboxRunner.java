package dev.jbuild.runner.exec;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import dev.jbuild.runner.diff.UpperDiff;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeIo;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.runner.workspace.Sweeps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The default {@link dev.jbuild.runner.Runner}: overlay of the chain's unpacked layers, runc, and
 * the upper directory turned into the step's layer (written once as an uncompressed blob, then
 * adopted by the layer store as the layer's unpacked form: nothing is unpacked again).
 */
public final class SandboxRunner implements Runner {
  private final BuildNetworks networks = new BuildNetworks();

  /** The threads {@link #expect} started that may still be starting a network. */
  private final java.util.Set<Thread> starting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  @Override
  public void close() throws IOException {
    // a network an expect() thread is still starting is closed with the others, not left behind
    for (Thread t : starting) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    networks.close();
  }

  @Override
  public void expect(Store store, Network network) {
    if (network != Network.PRIVATE) {
      return;
    }
    // slirp4netns takes a tenth of a second to configure the interface: start it while the base
    // image downloads; a failure here is the step's to report when it starts the network itself
    Thread t =
        Thread.ofVirtual()
            .name("jbuild-network-start")
            .unstarted(
                () -> {
                  try {
                    networks.forStore(store.root());
                  } catch (IOException | RuntimeException e) {
                    // reported by the step
                  } finally {
                    starting.remove(Thread.currentThread());
                  }
                });
    starting.add(t);
    t.start();
    // the default seccomp filter (moby's profile parsed and translated, 10-20 ms of a cold JVM)
    // is made meanwhile too; it is a class initialisation, done once whichever thread gets there
    Thread.ofVirtual()
        .name("jbuild-seccomp-prepare")
        .start(
            () -> {
              try {
                dev.jbuild.runner.SeccompProfile.dockerDefault();
              } catch (RuntimeException | Error e) {
                // the RUN that needs it reports it
              }
            });
  }

  @Override
  public RunResult run(RunRequest r) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Store store = r.store();
    OciRuntime runtime = Runtimes.forStore(store.root(), r.runtime());
    Sweeps.once(store.root(), runtime);
    // the network first: it gets ready while the layers are unpacked and the sandbox prepared
    UserNetwork net = r.network() == Network.PRIVATE ? networks.forStore(store.root()) : null;
    List<Path> lowers = store.layers().unpacked(r.layers()).reversed();
    try (Sandbox sb = Sandbox.open(RunDir.create(store.root()), runtime, lowers)) {
      sb.joinNetwork(net);
      sb.prepare(
          new ProcessSpec(
              r.argv(),
              r.env(),
              r.user(),
              r.workdir(),
              r.hostname(),
              r.network(),
              r.mounts(),
              false,
              null,
              r.settings()));
      int rc = sb.await(sb.start(RuntimeIo.lines(r.output())));
      sb.unmount();
      Optional<RunResult.DiffLayer> layer =
          rc == 0 ? capture(store, sb, lowers, r.sourceDateEpoch()) : Optional.empty();
      return new RunResult(rc, layer, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Writes the upper directory as a layer blob and hands the directory to the layer store. */
  public static Optional<RunResult.DiffLayer> capture(
      Store store, Sandbox sb, List<Path> lowers, Instant sourceDateEpoch) throws IOException {
    LayerWriterOptions options = LayerWriterOptions.defaults();
    if (sourceDateEpoch != null) {
      options = options.withSourceDateEpoch(sourceDateEpoch);
    }
    try (BlobWriter blob = store.blobs().newWriter();
        LayerWriter writer = LayerWriter.open(blob, options)) {
      if (UpperDiff.write(sb.upper(), lowers, writer, sourceDateEpoch) == 0) {
        return Optional.empty();
      }
      LayerDigests digests = writer.finish();
      BlobInfo info = blob.commit(digests.diffId());
      Descriptor descriptor = info.toDescriptor(MediaTypes.OCI_LAYER);
      Digest diffId = digests.diffId();
      store.layers().adopt(diffId, descriptor, sb.upper());
      return Optional.of(new RunResult.DiffLayer(descriptor, diffId));
    }
  }
}

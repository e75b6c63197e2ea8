package dev.jbuild.runner.chroot;

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
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.diff.UpperDiff;
import dev.jbuild.runner.exec.EtcFiles;
import dev.jbuild.runner.exec.Sandbox;
import dev.jbuild.runner.exec.Workdirs;
import dev.jbuild.runner.user.ResolvedUser;
import dev.jbuild.runner.user.UserResolver;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.runner.workspace.Sweeps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * RUN steps in chroot isolation (root without CAP_SYS_ADMIN, e.g. in a container with Docker's
 * default security): the layer chain copied into a run directory ({@link Materializer}), its state
 * recorded ({@link TreeState}), mounts emulated ({@link Scaffold}), the command run chrooted
 * ({@link StepProcess}, {@link ChrootExec}), the changes turned into an overlay-form upper
 * directory ({@link TreeDiff}) and written by {@link UpperDiff} as root mode would. See the runner
 * README, "Isolation".
 */
public final class ChrootRunner implements Runner {
  /** Printed once per runner (one build), as Buildah does for its chroot isolation. */
  public static final String WARNING =
      "WARNING: chroot isolation: RUN steps share jbuild's network, process and user namespaces"
          + " and have no /proc";

  private final AtomicBoolean warned = new AtomicBoolean();
  private final RootfsCache roots = new RootfsCache();

  @Override
  public RunResult run(RunRequest r) throws IOException, InterruptedException {
    long start = System.nanoTime();
    if (r.network() == Network.NONE) {
      throw RunnerErrors.chrootUnsupported("RUN --network=none");
    }
    if (r.settings().insecure()) {
      throw RunnerErrors.chrootUnsupported("RUN --security=insecure");
    }
    if (!r.settings().rlimits().isEmpty()) {
      throw RunnerErrors.chrootUnsupported("--ulimit");
    }
    if (r.settings().shmSize() != 0) {
      throw RunnerErrors.chrootUnsupported("--shm-size");
    }
    if (warned.compareAndSet(false, true)) {
      System.err.println(WARNING);
    }
    Store store = r.store();
    Sweeps.once(store.root(), null);
    List<Path> layers = store.layers().unpacked(r.layers());
    RootfsCache.Entry kept = roots.take(store.root(), r.layers());
    RunDir dir = kept != null ? kept.dir() : RunDir.create(store.root());
    boolean keep = false;
    try {
      if (kept != null) {
        Materializer.build(layers.subList(kept.chain().size(), layers.size()), dir.rootfs());
      } else {
        Files.createDirectory(dir.rootfs());
        Materializer.build(layers, dir.rootfs());
      }
      Path rootfs = dir.rootfs();
      TreeState.Node before = TreeState.record(rootfs);
      ResolvedUser user = UserResolver.resolve(rootfs, r.user()).withPrimaryGroup();
      int rc = runStep(r, dir, rootfs, user);
      Optional<RunResult.DiffLayer> layer =
          rc == 0
              ? capture(store, dir, rootfs, before, layers.reversed(), r.sourceDateEpoch())
              : Optional.empty();
      if (rc == 0 && r.sourceDateEpoch() == null) {
        // the root now shows the chain plus the step's layer: the next step can go on from it
        Trees.delete(dir.upper());
        List<Digest> chain = new ArrayList<>(r.layers());
        layer.ifPresent(l -> chain.add(l.diffId()));
        roots.put(new RootfsCache.Entry(store.root(), chain, dir));
        keep = true;
      }
      return new RunResult(rc, layer, Duration.ofNanos(System.nanoTime() - start));
    } finally {
      if (!keep) {
        Trees.delete(dir.dir());
      }
    }
  }

  @Override
  public void close() throws IOException {
    roots.close();
  }

  private static int runStep(RunRequest r, RunDir dir, Path rootfs, ResolvedUser user)
      throws IOException, InterruptedException {
    Workdirs.create(rootfs, r.workdir(), user);
    Scaffold scaffold = new Scaffold(rootfs, dir.dir().resolve("aside"));
    try {
      scaffold.devices();
      scaffold.file(
          "/etc/hosts", EtcFiles.hosts(r.hostname(), Network.HOST, r.settings().extraHosts()));
      scaffold.file("/etc/resolv.conf", EtcFiles.resolvConf(Network.HOST));
      List<RunMount> mounts =
          r.mounts().stream().sorted(Comparator.comparingInt(m -> depth(m.target()))).toList();
      for (RunMount m : mounts) {
        scaffold.mount(m);
      }
      ExecSpec spec =
          new ExecSpec(
              rootfs.toString(),
              r.workdir(),
              user.uid(),
              user.gid(),
              user.additionalGids(),
              Sandbox.environment(r.env(), user),
              r.argv());
      return StepProcess.run(spec, dir.dir(), r.output());
    } finally {
      scaffold.undo();
    }
  }

  private static int depth(String target) {
    return Path.of(target).normalize().getNameCount();
  }

  private static Optional<RunResult.DiffLayer> capture(
      Store store,
      RunDir dir,
      Path rootfs,
      TreeState.Node before,
      List<Path> layersTopFirst,
      Instant sourceDateEpoch)
      throws IOException {
    Path upper = dir.upper();
    if (TreeDiff.build(rootfs, before, layersTopFirst, upper) == 0
        && !rootChanged(rootfs, before)) {
      return Optional.empty();
    }
    LayerWriterOptions options = LayerWriterOptions.defaults();
    if (sourceDateEpoch != null) {
      options = options.withSourceDateEpoch(sourceDateEpoch);
    }
    try (BlobWriter blob = store.blobs().newWriter();
        LayerWriter writer = LayerWriter.open(blob, options)) {
      if (UpperDiff.write(upper, layersTopFirst, writer, sourceDateEpoch) == 0) {
        return Optional.empty();
      }
      LayerDigests digests = writer.finish();
      BlobInfo info = blob.commit(digests.diffId());
      Descriptor descriptor = info.toDescriptor(MediaTypes.OCI_LAYER);
      Digest diffId = digests.diffId();
      store.layers().adopt(diffId, descriptor, upper);
      return Optional.of(new RunResult.DiffLayer(descriptor, diffId));
    }
  }

  private static boolean rootChanged(Path rootfs, TreeState.Node before) throws IOException {
    return !TreeState.sameMetadata(dev.jbuild.layercache.fs.Posix.lstat(rootfs), before.stat);
  }
}

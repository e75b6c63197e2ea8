package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.Ignores;
import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.copy.CopyLayer;
import dev.jbuild.builder.copy.CopyWriter;
import dev.jbuild.builder.copy.RootfsView;
import dev.jbuild.builder.copy.TreeBuilder;
import dev.jbuild.builder.copy.TreeIndexes;
import dev.jbuild.builder.exec.BaseImage;
import dev.jbuild.builder.exec.BuildServices;
import dev.jbuild.builder.exec.StageState;
import dev.jbuild.builder.exec.StepFailure;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.grammar.instructions.FileMode;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Snapshots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * COPY and ADD. The key is the instruction (flags, sources as written, absolute destination) plus,
 * for every file copied from the context, its path, type, mode, link target and content hash
 * (memoised by stat, so an unchanged context is never read); sources from another stage or image
 * enter through that stage's key or that image's digest. The layer is written straight from the
 * sources (see {@link CopyLayer}).
 */
public final class CopyStep implements Step {
  private final FileInstruction in;
  private final String dest;
  private final String createdBy;
  private final BuildServices services;
  private final Chown.Spec chown;
  private final Optional<FileMode> chmod;
  private final IgnoreFilter excludes;
  private final Optional<SourceRef> from;

  /** Sources resolved while computing the key, reused on a miss. */
  private List<Resolved> resolved;

  private BaseImage fromImage;

  /** A source as written with what it resolved to. */
  private record Resolved(
      String written, BuildContext tree, List<ContextFile> files, Download download) {}

  private record Download(AddSources.Download download, boolean archive) {}

  /**
   * @param in the expanded instruction
   * @param workdir the stage's working directory (relative destinations are below it)
   */
  public CopyStep(
      FileInstruction in, String workdir, Optional<SourceRef> from, BuildServices services) {
    this.in = in;
    this.from = from;
    this.services = services;
    this.dest = absolute(in.destination(), workdir);
    this.chown = in.chown().map(Chown::parse).orElse(null);
    this.chmod = in.mode();
    this.excludes =
        in.excludes().isEmpty() ? IgnoreFilter.NONE : Ignores.fromPatterns(in.excludes());
    this.createdBy = createdBy(in);
  }

  static String absolute(String dest, String workdir) {
    if (dest.startsWith("/")) {
      return dest;
    }
    String wd = workdir == null || workdir.isEmpty() ? "/" : workdir;
    String joined = wd.endsWith("/") ? wd + dest : wd + "/" + dest;
    if (dest.equals(".") || dest.endsWith("/.") || dest.endsWith("/")) {
      return joined.endsWith("/") ? joined : joined + "/";
    }
    return joined;
  }

  private static String createdBy(FileInstruction in) {
    StringBuilder b = new StringBuilder(in instanceof AddInstruction ? "ADD" : "COPY");
    if (in instanceof CopyInstruction c && c.from().isPresent()) {
      b.append(" --from=").append(c.from().get());
    }
    in.chown().ifPresent(c -> b.append(" --chown=").append(c));
    in.chmod().ifPresent(c -> b.append(" --chmod=").append(c));
    for (String s : in.sources()) {
      b.append(' ').append(s);
    }
    for (Heredoc h : in.heredocs()) {
      b.append(" <<").append(h.name());
    }
    return b.append(' ').append(in.destination()).toString();
  }

  @Override
  public String kind() {
    return in instanceof AddInstruction ? "add" : "copy";
  }

  @Override
  public boolean independent() {
    return in.link();
  }

  @Override
  public boolean producesLayer() {
    return true;
  }

  @Override
  public String createdBy() {
    return createdBy;
  }

  private boolean isAdd() {
    return in instanceof AddInstruction;
  }

  private boolean unpack() {
    return in instanceof AddInstruction a && a.unpack().orElse(true);
  }

  @Override
  public void inputs(KeyBuilder key, StageState state) throws Exception {
    key.put("instruction", canonical());
    key.put("dest", dest);
    List<Resolved> out = new ArrayList<>();
    if (from.isPresent()) {
      fromImage = services.sources().resolve(from.get());
      key.put("from", fromImage.key().toString());
      // the image's files are read on a miss only: its key stands for its content
      resolved = out;
      return;
    }
    for (String s : in.sources()) {
      if (isAdd() && AddSources.isUrl(s)) {
        AddInstruction a = (AddInstruction) in;
        if (a.checksum().isPresent()) {
          key.put("url:" + s, a.checksum().get());
          out.add(new Resolved(s, null, List.of(), null));
          continue;
        }
        AddSources.Download d =
            AddSources.fetch(s, services.store().newTempDir("add"), a.checksum());
        key.put("url:" + s, d.digest().toString());
        out.add(new Resolved(s, null, List.of(), new Download(d, false)));
        continue;
      }
      BuildContext ctx = services.requireContext(isAdd() ? "ADD" : "COPY");
      List<ContextFile> files;
      try {
        files = ctx.resolve(s, true);
      } catch (ContextException e) {
        throw new StepFailure(e.getMessage());
      }
      for (ContextFile f : files) {
        hashTree(key, ctx, f);
      }
      out.add(new Resolved(s, ctx, files, null));
    }
    for (Heredoc h : in.heredocs()) {
      key.put("heredoc:" + h.name(), h.body());
    }
    resolved = out;
  }

  private String canonical() {
    StringBuilder b = new StringBuilder(isAdd() ? "ADD" : "COPY");
    b.append(" chown=").append(in.chown().orElse(""));
    b.append(" chmod=").append(in.chmod().orElse(""));
    b.append(" link=").append(in.link());
    if (in instanceof CopyInstruction c) {
      b.append(" parents=").append(c.parents());
    }
    if (in instanceof AddInstruction a) {
      b.append(" checksum=").append(a.checksum().orElse(""));
      b.append(" keepGitDir=").append(a.keepGitDir());
      b.append(" unpack=").append(a.unpack().map(String::valueOf).orElse(""));
    }
    b.append(" exclude=").append(String.join(",", in.excludes()));
    b.append(" sources=").append(String.join(" ", in.sources()));
    return b.toString();
  }

  /** Adds a source's files: path, type, mode, link target and content hash each. */
  private void hashTree(KeyBuilder key, BuildContext ctx, ContextFile top) throws IOException {
    key.put("src:" + top.rel(), describe(ctx, top));
    if (!top.stat().isDirectory()) {
      return;
    }
    for (Iterator<ContextFile> it = ctx.walk(top, excludes); it.hasNext(); ) {
      ContextFile f = it.next();
      key.put("file:" + f.rel(), describe(ctx, f));
    }
  }

  private static String describe(BuildContext ctx, ContextFile f) throws IOException {
    Stat s = f.stat();
    String mode = Integer.toOctalString(s.mode());
    if (s.isRegularFile()) {
      return mode + " " + ctx.contentHash(f).hex();
    }
    if (s.isSymlink()) {
      return mode + " -> " + Files.readSymbolicLink(f.path());
    }
    if (s.isCharDevice() || s.isBlockDevice()) {
      return mode + " " + s.rdevMajor() + ":" + s.rdevMinor();
    }
    return mode;
  }

  @Override
  public Optional<CacheRecord.Layer> execute(StageState state, Execution execution)
      throws Exception {
    RootfsView root =
        in.link() || state.layers().isEmpty()
            ? null
            : RootfsView.layers(services.store().layers().unpacked(state.diffIds()).reversed());
    Snapshot source = null;
    List<Path> temps = new ArrayList<>();
    TreeBuilder treeBuilder = null;
    try {
      long uid = 0;
      long gid = 0;
      if (chown != null) {
        long[] ids = chown.resolve(root);
        uid = ids[0];
        gid = ids[1];
      }
      CopyLayer.Chmod mode = chmod.<CopyLayer.Chmod>map(m -> m::apply).orElse(null);
      CacheRecord.Layer previous = previousLayer(execution.previousKey());
      CopyWriter.Previous resumable = resumable(previous);
      // directories this COPY creates keep the stamp of the layer it resumes: a new time would
      // change the layer's first entries and so everything after them
      CopyLayer.Attributes attrs =
          new CopyLayer.Attributes(
              uid,
              gid,
              chown != null,
              mode,
              resumable != null ? resumable.stamp() : services.now());
      List<CopyItem> items = new ArrayList<>();
      if (fromImage != null) {
        source =
            fromImage.layers().isEmpty()
                ? null
                : Snapshots.mountReadOnly(services.store(), fromImage.diffIds());
        Path sroot = source == null ? services.store().newTempDir("empty") : source.root();
        BuildContext tree = new BuildContext(sroot, IgnoreFilter.NONE, FileHashCache.inMemory());
        for (String s : in.sources()) {
          List<ContextFile> files;
          try {
            files = tree.resolve(s, true);
          } catch (ContextException e) {
            throw new StepFailure(e.getMessage().replace("build context", "source image"));
          }
          addItems(items, tree, s, files, false);
        }
      } else {
        for (Resolved r : resolved) {
          if (r.tree == null) {
            items.add(url(r, temps));
            continue;
          }
          addItems(items, r.tree, r.written, r.files, true);
        }
      }
      for (Heredoc h : in.heredocs()) {
        items.add(
            new CopyItem.Inline(
                h.name(), h.body().getBytes(StandardCharsets.UTF_8), 0644, services.now()));
      }
      if (items.isEmpty()) {
        return Optional.empty(); // only wildcards, matching nothing: nothing to copy
      }
      RootfsView r = root;
      treeBuilder = execution.layerUsedLater() ? treeBuilder(previous) : null;
      TreeBuilder tree = treeBuilder;
      if (tree != null) {
        temps.add(tree.root().getParent());
      }
      CopyWriter.Result written =
          CopyWriter.write(
              services.store(),
              services.sourceDateEpoch(),
              r,
              items,
              dest,
              attrs,
              tree,
              services.context().orElse(null),
              resumable);
      CacheRecord.Layer layer = written.layer();
      if (!written.checkpoints().isEmpty()) {
        CopyWriter.saveCheckpoints(
            CopyWriter.checkpointsPath(services.store(), layer.diffId()),
            written.checkpoints(),
            attrs.now());
      }
      if (tree != null) {
        services.store().layers().adopt(layer.diffId(), layer.blob(), tree.root());
        tree.index().write(TreeIndexes.path(services.store(), layer.diffId()));
      }
      if (written.reused() > 0) {
        execution
            .output()
            .line(
                "reused the first "
                    + written.reused()
                    + " bytes of the previous layer"
                    + (tree != null && tree.linked() > 0
                        ? ", " + tree.linked() + " unchanged files linked"
                        : ""));
      }
      dev.jbuild.builder.Trace.mark(
          "  layer done: "
              + written.reused()
              + " bytes reused, "
              + (tree == null ? 0 : tree.linked())
              + " files linked");
      return Optional.of(layer);
    } finally {
      if (treeBuilder != null) {
        treeBuilder.close();
      }
      for (Path t : temps) {
        try {
          dev.jbuild.runner.workspace.Trees.delete(t);
        } catch (IOException ignored) {
          // the store's temp sweep removes what is left
        }
      }
      if (source != null) {
        source.close();
      }
    }
  }

  /**
   * A builder of this layer's unpacked form that hard-links what did not change from the layer the
   * same step made last time (found through its previous cache key).
   */
  private TreeBuilder treeBuilder(CacheRecord.Layer previous) throws IOException {
    Path staging = services.store().newTempDir("copytree");
    Path tree = Files.createDirectory(staging.resolve("tree"));
    Path prevTree = null;
    TreeBuilder.Index prevIndex = null;
    if (previous != null) {
      prevTree = services.store().layers().ifUnpacked(previous.diffId()).orElse(null);
      prevIndex =
          prevTree == null
              ? null
              : TreeBuilder.Index.read(TreeIndexes.path(services.store(), previous.diffId()));
    }
    return new TreeBuilder(
        tree, services.context().orElse(null), services.sourceDateEpoch(), prevTree, prevIndex);
  }

  /** The layer this step (same Dockerfile position) made in the last build, if any. */
  private CacheRecord.Layer previousLayer(String previousKey) throws IOException {
    if (previousKey == null) {
      return null;
    }
    Optional<CacheRecord> prev = services.store().cache().get(previousKey);
    return prev.isPresent() && prev.get().layers().size() == 1
        ? prev.get().layers().getFirst()
        : null;
  }

  /** The previous layer's blob and checkpoints when it can be resumed (uncompressed, stored). */
  private CopyWriter.Previous resumable(CacheRecord.Layer previous) {
    if (previous == null
        || !MediaTypes.OCI_LAYER.equals(previous.blob().mediaType())
        || !previous.blob().digest().equals(previous.diffId())
        || !services.store().blobs().has(previous.diffId())) {
      return null;
    }
    CopyWriter.Saved saved =
        CopyWriter.loadCheckpoints(CopyWriter.checkpointsPath(services.store(), previous.diffId()));
    return saved == null || saved.checkpoints().isEmpty()
        ? null
        : new CopyWriter.Previous(
            services.store().blobs().path(previous.diffId()), saved.checkpoints(), saved.stamp());
  }

  private void addItems(
      List<CopyItem> items,
      BuildContext tree,
      String written,
      List<ContextFile> files,
      boolean context)
      throws IOException, StepFailure {
    boolean parents = in instanceof CopyInstruction c && c.parents();
    for (ContextFile f : files) {
      if (isAdd()
          && context
          && unpack()
          && f.stat().isRegularFile()
          && AddSources.isArchive(f.path())) {
        Path dir = AddSources.extract(f.path(), services.store().newTempDir("unpack"));
        BuildContext unpacked = new BuildContext(dir, IgnoreFilter.NONE, FileHashCache.inMemory());
        ContextFile top;
        try {
          top = unpacked.resolve(".", false).getFirst();
        } catch (ContextException e) {
          throw new StepFailure(e.getMessage());
        }
        items.add(new CopyItem.Tree(unpacked, top, f.name(), IgnoreFilter.NONE, "", true));
        continue;
      }
      String name = lastComponent(written, f);
      String parentPath = parents ? parentPath(written, f) : "";
      items.add(new CopyItem.Tree(tree, f, name, excludes, parentPath));
    }
  }

  /** The name a file source keeps: the matched path's last component. */
  private static String lastComponent(String written, ContextFile f) {
    String n = f.nameAsSource();
    if (!n.isEmpty()) {
      return n;
    }
    return written.replaceAll("/+$", "").replaceAll(".*/", "");
  }

  /** --parents: the source's path below the context root, or below a "/./" pivot. */
  static String parentPath(String written, ContextFile f) {
    int pivot = written.indexOf("/./");
    String rel = f.rel();
    if (pivot >= 0) {
      String before = String.join("/", BuildContext.components(written.substring(0, pivot)));
      if (!before.isEmpty() && rel.startsWith(before + "/")) {
        return rel.substring(before.length() + 1);
      }
    }
    return rel;
  }

  private CopyItem url(Resolved r, List<Path> temps) throws IOException, InterruptedException {
    AddSources.Download d;
    if (r.download != null) {
      d = r.download.download();
    } else {
      d =
          AddSources.fetch(
              r.written, services.store().newTempDir("add"), ((AddInstruction) in).checksum());
    }
    temps.add(d.file());
    Path dir = Files.createTempDirectory(services.store().newTempDir("url"), "u");
    Path file = dir.resolve(d.name());
    Files.move(d.file(), file);
    Posix.chmod(file, 0600);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(d.mtime()));
    temps.add(dir);
    BuildContext tree = new BuildContext(dir, IgnoreFilter.NONE, FileHashCache.inMemory());
    ContextFile f;
    try {
      f = tree.resolve(d.name(), false).getFirst();
    } catch (ContextException e) {
      throw new IOException(e.getMessage(), e);
    }
    return new CopyItem.Tree(tree, f, d.name(), IgnoreFilter.NONE, "");
  }
}

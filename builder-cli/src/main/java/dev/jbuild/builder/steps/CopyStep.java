package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.Ignores;
import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.copy.CopyLayer;
import dev.jbuild.builder.copy.CopyWriter;
import dev.jbuild.builder.copy.RootfsView;
import dev.jbuild.builder.copy.TreeBuilder;
import dev.jbuild.builder.copy.TreeIndexes;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.grammar.instructions.FileMode;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * COPY and ADD. The key is the instruction (flags, sources as written, absolute destination) plus,
 * for every file copied from the context, its path, type, mode, link target and content hash
 * (memoised by stat, so an unchanged context is never read); sources from another stage or image
 * enter through that stage's key or that image's digest. The layer is written straight from the
 * sources (see {@link CopyLayer}).
 */
public final class CopyStep implements Step<CopyStep.Prepared> {
  private final FileInstruction in;
  private final String dest;
  private final String createdBy;
  private final BuildServices services;
  private final Chown.Spec chown;
  private final Optional<FileMode> chmod;
  private final IgnoreFilter excludes;
  private final Optional<SourceRef> from;

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

  /**
   * What COPY and ADD resolved while computing the key.
   *
   * @param fromImage the stage or image --from names (read on a miss only: its key stands for its
   *     content)
   * @param sources the context and URL sources, in order (empty with --from)
   */
  public record Prepared(Optional<BaseImage> fromImage, List<CopySource> sources)
      implements Step.Prepared {
    public Prepared {
      sources = List.copyOf(sources);
    }
  }

  @Override
  public Prepared prepare(KeyBuilder key, StageState state)
      throws IOException, StepFailure, InterruptedException {
    key.put("instruction", CopyKey.canonical(in));
    key.put("dest", dest);
    if (from.isPresent()) {
      BaseImage image = services.sources().resolve(from.get());
      key.put("from", image.key().toString());
      key.readsLayers("from", image.diffIds());
      return new Prepared(Optional.of(image), List.of());
    }
    List<CopySource> out = new ArrayList<>();
    for (String s : in.sources()) {
      switch (dev.jbuild.builder.remote.GitRef.parse(s)) {
        case dev.jbuild.builder.remote.GitRef.Git g -> {
          if (!(in instanceof AddInstruction a)) {
            throw BuildErrors.copySource("source can't be a git ref for COPY");
          }
          out.add(CopyGit.prepare(key, a, s, g.ref(), services));
          continue;
        }
        case dev.jbuild.builder.remote.GitRef.Invalid bad ->
            throw BuildErrors.invalidGitSource(bad.why());
        case dev.jbuild.builder.remote.GitRef.NotGit n -> {}
      }
      if (in instanceof AddInstruction a && AddSources.isUrl(s)) {
        out.add(CopyUrls.prepare(key, a, s, services.store()));
        continue;
      }
      BuildContext ctx = services.requireContext(isAdd() ? "ADD" : "COPY");
      List<ContextFile> files;
      try {
        files = ctx.resolve(s, true);
      } catch (ContextException e) {
        throw BuildErrors.copySource(e.getMessage());
      }
      for (ContextFile f : files) {
        CopyKey.hashTree(key, ctx, f, excludes);
      }
      out.add(new CopySource.Context(s, ctx, files));
    }
    for (Heredoc h : in.heredocs()) {
      key.put("heredoc:" + h.name(), h.body());
    }
    return new Prepared(Optional.empty(), out);
  }

  @Override
  public Optional<CacheRecord.Layer> execute(
      Prepared prepared, StageState state, Execution execution)
      throws IOException, StepFailure, InterruptedException {
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
      CacheRecord.Layer previous =
          CopyResume.previousLayer(services.store(), execution.previousKey());
      CopyWriter.Previous resumable = CopyResume.resumable(services.store(), previous);
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
      CopyItems sources = new CopyItems(in, excludes, services.store());
      if (prepared.fromImage().isPresent()) {
        source =
            CopyFrom.addItems(
                services.store(), prepared.fromImage().get(), in.sources(), sources, items);
      } else {
        for (CopySource src : prepared.sources()) {
          switch (src) {
            case CopySource.Url u ->
                items.add(CopyUrls.item(u, (AddInstruction) in, services.store(), temps));
            case CopySource.Git g -> items.add(CopyGit.item(g, services, temps));
            case CopySource.Context c ->
                sources.add(items, c.context(), c.written(), c.files(), true);
          }
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
      treeBuilder =
          execution.layerUsedLater()
              ? CopyResume.treeBuilder(
                  services.store(),
                  services.context().orElse(null),
                  services.sourceDateEpoch(),
                  previous)
              : null;
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
      dev.jbuild.builder.progress.Trace.mark(
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
        Trees.deleteQuietly(t);
      }
      if (source != null) {
        source.close();
      }
    }
  }
}

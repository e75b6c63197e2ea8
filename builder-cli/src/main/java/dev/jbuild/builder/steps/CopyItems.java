package dev.jbuild.builder.steps;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.copy.AddSources;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the files a source matched into the trees {@link dev.jbuild.builder.copy.CopyLayer} copies:
 * the name each keeps at the destination (its last component, or with --parents its path), and for
 * ADD a local archive unpacked instead of copied.
 */
final class CopyItems {
  private final FileInstruction in;
  private final IgnoreFilter excludes;
  private final Store store;

  CopyItems(FileInstruction in, IgnoreFilter excludes, Store store) {
    this.in = in;
    this.excludes = excludes;
    this.store = store;
  }

  /**
   * Adds the items of one source.
   *
   * @param fromContext true for the build context (only its archives are unpacked by ADD)
   */
  void add(
      List<CopyItem> items,
      BuildContext tree,
      String written,
      List<ContextFile> files,
      boolean fromContext)
      throws IOException, StepFailure {
    boolean parents = in instanceof CopyInstruction c && c.parents();
    boolean unpack = in instanceof AddInstruction a && a.unpack().orElse(true);
    for (ContextFile f : files) {
      if (fromContext && unpack && f.stat().isRegularFile() && AddSources.isArchive(f.path())) {
        Path dir = AddSources.extract(f.path(), store.newTempDir("unpack"));
        BuildContext unpacked = new BuildContext(dir, IgnoreFilter.NONE, FileHashCache.inMemory());
        ContextFile top;
        try {
          top = unpacked.resolve(".", false).getFirst();
        } catch (ContextException e) {
          throw BuildErrors.copySource(e.getMessage());
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
      String before = String.join("/", TarNames.components(written.substring(0, pivot)));
      if (!before.isEmpty() && rel.startsWith(before + "/")) {
        return rel.substring(before.length() + 1);
      }
    }
    return rel;
  }
}

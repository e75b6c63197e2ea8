package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copied roots a build can go on from: after a successful step its root is exactly the chain plus
 * the step's layer, so the next step over that chain (or a longer one: COPY layers in between)
 * takes it and applies only the layers it lacks, instead of copying the whole chain again (as
 * Kaniko keeps one root). A root is taken by one step at a time; a few are kept per runner (one
 * build), deleted at {@link #close}, or by the sweep after a crash (they are run directories).
 */
final class RootfsCache implements AutoCloseable {
  private static final int MAX = 2;

  /** A copied root: the run directory holding it and the chain it shows. */
  record Entry(Path storeRoot, List<Digest> chain, RunDir dir) {
    Entry {
      chain = List.copyOf(chain);
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  /** The kept root with the longest chain that starts {@code chain}, removed from the cache. */
  synchronized Entry take(Path storeRoot, List<Digest> chain) {
    Entry best = null;
    for (Entry e : entries) {
      if (e.storeRoot().equals(storeRoot)
          && e.chain().size() <= chain.size()
          && chain.subList(0, e.chain().size()).equals(e.chain())
          && (best == null || e.chain().size() > best.chain().size())) {
        best = e;
      }
    }
    if (best != null) {
      entries.remove(best);
    }
    return best;
  }

  /** Keeps {@code e}; the oldest root goes when more than a few are kept. */
  void put(Entry e) throws IOException {
    Entry evicted = null;
    synchronized (this) {
      entries.add(e);
      if (entries.size() > MAX) {
        evicted = entries.removeFirst();
      }
    }
    if (evicted != null) {
      Trees.delete(evicted.dir().dir());
    }
  }

  @Override
  public void close() throws IOException {
    List<Entry> all;
    synchronized (this) {
      all = new ArrayList<>(entries);
      entries.clear();
    }
    for (Entry e : all) {
      Trees.delete(e.dir().dir());
    }
  }
}

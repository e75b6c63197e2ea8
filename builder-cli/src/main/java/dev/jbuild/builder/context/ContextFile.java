package dev.jbuild.builder.context;

import dev.jbuild.layercache.fs.Stat;
import java.nio.file.Path;

/**
 * A file of the build context.
 *
 * @param rel its context-relative path ('/'-separated, no leading '/'; "" for the context root)
 * @param path where it is on disk
 * @param stat its lstat
 * @param named the last component of the path a source named it by, when symlinks were followed to
 *     reach it (COPY names a copied file after the link, not its target), else null
 */
public record ContextFile(String rel, Path path, Stat stat, String named) {
  public ContextFile(String rel, Path path, Stat stat) {
    this(rel, path, stat, null);
  }

  /** The last path component ("" for the root). */
  public String name() {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? rel : rel.substring(slash + 1);
  }

  /** The name a COPY of this file as a source takes: the link's name, else {@link #name()}. */
  public String nameAsSource() {
    return named != null && !named.isEmpty() ? named : name();
  }

  /** This file, reached under the name {@code name}. */
  public ContextFile namedAs(String name) {
    return name == null || name.equals(name()) ? this : new ContextFile(rel, path, stat, name);
  }
}

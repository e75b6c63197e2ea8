package dev.jbuild.builder.context;

import dev.jbuild.layercache.fs.Stat;
import java.nio.file.Path;

/**
 * A file of the build context.
 *
 * @param rel its context-relative path ('/'-separated, no leading '/'; "" for the context root)
 * @param path where it is on disk
 * @param stat its lstat
 */
public record ContextFile(String rel, Path path, Stat stat) {
  /** The last path component ("" for the root). */
  public String name() {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? rel : rel.substring(slash + 1);
  }
}

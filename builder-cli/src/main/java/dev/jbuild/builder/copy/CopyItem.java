package dev.jbuild.builder.copy;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import java.time.Instant;
import java.util.Objects;

/** One source of a COPY or ADD, resolved: what to copy and under which name. */
public sealed interface CopyItem {
  /**
   * A file, symlink or directory of a tree (the build context, or a stage's or image's root
   * filesystem). A directory's contents are copied, not the directory itself.
   *
   * @param tree where the source lives
   * @param source the resolved source (symlinks of the written path followed)
   * @param name the name a file source gets inside a destination directory: the last component of
   *     the path as matched (a symlink's own name, not its target's)
   * @param excludes --exclude patterns, relative to {@code source}
   * @param parentPath with --parents: the path (relative, '/'-separated) kept between the
   *     destination and the source; "" otherwise
   * @param keepOwners true for an unpacked ADD archive: its entries keep their owners unless
   *     --chown is given
   */
  record Tree(
      BuildContext tree,
      ContextFile source,
      String name,
      IgnoreFilter excludes,
      String parentPath,
      boolean keepOwners)
      implements CopyItem {
    public Tree {
      Objects.requireNonNull(tree, "tree");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(name, "name");
      excludes = excludes == null ? IgnoreFilter.NONE : excludes;
      parentPath = parentPath == null ? "" : parentPath;
    }

    public Tree(
        BuildContext tree,
        ContextFile source,
        String name,
        IgnoreFilter excludes,
        String parentPath) {
      this(tree, source, name, excludes, parentPath, false);
    }

    public boolean isDirectory() {
      return source.stat().isDirectory();
    }
  }

  /**
   * A file whose content is given (a heredoc, a downloaded URL).
   *
   * @param name its name inside a destination directory
   * @param content the bytes
   * @param mode permission bits
   * @param mtime modification time
   */
  record Inline(String name, byte[] content, int mode, Instant mtime) implements CopyItem {
    public Inline {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(content, "content");
      Objects.requireNonNull(mtime, "mtime");
    }
  }
}

package dev.jbuild.builder.context;

/**
 * Which context paths a build may see (the .dockerignore rules), for context-relative paths with
 * '/' separators and no leading '/'.
 */
public interface IgnoreFilter {
  /** True when {@code path} is excluded. */
  boolean excluded(String path);

  /**
   * True when {@code dir} and everything below it are excluded, so a walk need not enter it (false
   * whenever an exception pattern could re-include something below).
   */
  boolean skipDir(String dir);

  IgnoreFilter NONE =
      new IgnoreFilter() {
        @Override
        public boolean excluded(String path) {
          return false;
        }

        @Override
        public boolean skipDir(String dir) {
          return false;
        }
      };
}

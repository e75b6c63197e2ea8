package dev.jbuild.builder.remote;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * JGit set up once, before its first use: logging silenced, no host git config read, nothing
 * written under the user's home.
 */
final class JGitSetup {
  private JGitSetup() {}

  private static boolean done;

  /** Idempotent: JGit quiet and hermetic for this process. */
  static synchronized void init() {
    if (done) {
      return;
    }
    done = true;
    // JGit logs through slf4j; without a provider slf4j prints a warning on stderr, and naming
    // one prints an info line: its own no-op provider, and its reporter quiet but for errors
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
    }
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    // as BuildKit (GIT_CONFIG_NOSYSTEM=1, HOME=/dev/null): no system or user git config is read,
    // and JGit writes nothing to ~/.config/jgit (its file-system timestamp probe included)
    SystemReader.setInstance(
        new SystemReader.Delegate(SystemReader.getInstance()) {
          @Override
          public FileBasedConfig openUserConfig(Config parent, FS fs) {
            return empty(parent, fs);
          }

          @Override
          public FileBasedConfig openSystemConfig(Config parent, FS fs) {
            return empty(parent, fs);
          }

          @Override
          public FileBasedConfig openJGitConfig(Config parent, FS fs) {
            return empty(parent, fs);
          }
        });
    FS.FileStoreAttributes.setBackground(true);
  }

  private static FileBasedConfig empty(Config parent, FS fs) {
    return new FileBasedConfig(parent, null, fs) {
      @Override
      public void load() {}

      @Override
      public void save() {}

      @Override
      public boolean isOutdated() {
        return false;
      }
    };
  }
}

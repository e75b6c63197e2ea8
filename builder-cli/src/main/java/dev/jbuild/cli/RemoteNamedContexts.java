package dev.jbuild.cli;

import dev.jbuild.builder.core.NamedContext;
import dev.jbuild.builder.remote.GitAccess;
import dev.jbuild.builder.remote.RemoteContexts;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --build-context NAME=URL}: each git or archive URL fetched into the store's staging area
 * before the build, so the engine sees a directory; a URL of a plain file is refused.
 */
final class RemoteNamedContexts {
  private RemoteNamedContexts() {}

  static Map<String, NamedContext> fetch(
      Map<String, NamedContext> contexts, Store store, GitAccess access) throws IOException {
    if (contexts.values().stream().noneMatch(c -> c instanceof NamedContext.Remote)) {
      return contexts;
    }
    Map<String, NamedContext> out = new LinkedHashMap<>();
    for (Map.Entry<String, NamedContext> e : contexts.entrySet()) {
      if (!(e.getValue() instanceof NamedContext.Remote r)) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      RemoteContexts.Fetched f;
      try {
        f = RemoteContexts.fetch(r.url(), access, store.newTempDir("named-context"), Instant.now());
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted fetching " + r.url());
      }
      if (f.dir().isEmpty()) {
        throw new UserException(
            ExitCodes.USAGE,
            "--build-context "
                + e.getKey()
                + "="
                + r.url()
                + ": not a git repository or an archive");
      }
      out.put(e.getKey(), new NamedContext.Directory(f.dir().get()));
    }
    return out;
  }
}

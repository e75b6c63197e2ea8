package dev.jbuild.cli;

import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.serve.ContextPool;
import dev.jbuild.serve.ContextSync;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The build contexts of one client-mode call, in the daemon's kept directories ({@link
 * ContextPool}, synced by {@link ContextSync}: the same mechanism as the API's {@code POST
 * /build}). Each context item is lent a directory for the call; the upload is split: a context
 * item's entries go to its directory's sync, the rest is unpacked under the call's {@code in/}. At
 * {@link #close} (after the command) a directory made whole goes back to the pool, any other is
 * deleted.
 */
final class ClientContexts implements AutoCloseable {
  private final ContextPool pool;
  private final long maxBytes;
  private final Map<String, Lent> lent = new LinkedHashMap<>();

  private static final class Lent {
    final String key;
    final Path dir;
    ContextSync.Session session;
    ContextSync.Stats whole;

    Lent(String key, Path dir) {
      this.key = key;
      this.dir = dir;
    }
  }

  /** No pool when the store does not exist yet: the contexts are then the call's own. */
  ClientContexts(Path storeRoot, Map<String, String> env) {
    this.pool =
        Files.isDirectory(storeRoot, LinkOption.NOFOLLOW_LINKS)
            ? ContextPool.of(storeRoot, env)
            : null;
    this.maxBytes = ClientCalls.maxUploadBytes(env);
  }

  /**
   * A kept directory lent to this call for upload item {@code item}, found again by {@code key}
   * (the client's identity first); null without a pool.
   */
  Path lend(String item, String key) throws IOException {
    if (pool == null) {
      return null;
    }
    Path dir = pool.take(key);
    lent.put(item, new Lent(key, dir));
    return dir;
  }

  /**
   * Reads the upload: the entries of a lent item ({@code N/...}) sync its directory, the rest is
   * unpacked under {@code in}. Returns the lent items the client sent.
   */
  Set<String> apply(InputStream uploads, Path in, Path spoolDir) throws IOException {
    Path rest = spoolDir.resolve("rest.tar");
    try (OutputStream out = Files.newOutputStream(rest);
        LayerWriter writer = LayerWriter.open(out, LayerWriterOptions.defaults().withThreads(1));
        LayerReader reader = LayerReader.open(uploads)) {
      for (TarEntry e; (e = reader.next()) != null; ) {
        String name = e.name();
        int slash = name.indexOf('/');
        String item = slash < 0 ? name : name.substring(0, slash);
        Lent l = lent.get(item);
        if (l == null) {
          if (e.type() == EntryType.FILE) {
            writer.add(e, reader.content());
          } else {
            writer.add(e);
          }
          continue;
        }
        String rel = slash < 0 ? TarNames.ROOT : name.substring(slash + 1);
        if (rel.equals(TarNames.ROOT) && e.type() != EntryType.DIR) {
          throw new UserException(
              ExitCodes.USAGE, "client sent a non-directory for upload item " + item);
        }
        if (l.session == null) {
          l.session =
              new ContextSync.Session(l.dir, spoolDir.resolve("sync-" + item + ".tar"), maxBytes);
        }
        l.session.offer(e.withName(rel), reader.content());
      }
      writer.finish();
    } finally {
      for (Lent l : lent.values()) {
        if (l.session != null) {
          l.session.close();
        }
      }
    }
    LayerApplier.apply(rest, in, ApplyMode.PLAIN);
    Map<String, ContextSync.Stats> sent = new HashMap<>();
    for (Map.Entry<String, Lent> x : lent.entrySet()) {
      Lent l = x.getValue();
      if (l.session != null) {
        l.whole = l.session.finish();
        sent.put(x.getKey(), l.whole);
      }
    }
    return sent.keySet();
  }

  /** After the command: whole directories back to the pool, the others deleted. */
  @Override
  public void close() {
    for (Lent l : lent.values()) {
      if (l.whole != null) {
        pool.give(l.key, l.dir, l.whole.bytes());
      } else {
        pool.discard(l.dir);
      }
    }
    lent.clear();
  }
}

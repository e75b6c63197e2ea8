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
import dev.jbuild.serve.ContextPrints;
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
    final ContextPrints prints;
    ContextPrints.Builder newPrints;
    ContextSync.Session session;
    ContextSync.Stats whole;
    ContextPrints wholePrints;

    Lent(String key, ContextPool.Loan loan) {
      this.key = key;
      this.dir = loan.dir();
      this.prints = loan.prints();
    }

    ContextSync.Session session(Path spoolDir, String item, long maxBytes) throws IOException {
      if (session == null) {
        session = new ContextSync.Session(dir, spoolDir.resolve("sync-" + item + ".tar"), maxBytes);
      }
      return session;
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
    Lent l = new Lent(key, pool.lend(key));
    lent.put(item, l);
    return l.dir;
  }

  /**
   * Reads the client's manifest of its contexts ({@link ContextManifest}) and answers it on {@code
   * answer}: the names of the files a lent directory holds as the client has them ({@link
   * ContextPrints#holds}), which the client then leaves out of the upload and the sync keeps.
   */
  void manifest(InputStream records, OutputStream answer, Path spoolDir) throws IOException {
    ContextManifest.Reader r = new ContextManifest.Reader(records);
    ContextManifest.writeAnswerKind(answer, true);
    java.util.Set<Path> realDirs = new java.util.HashSet<>();
    int files = 0;
    int held = 0;
    for (ContextManifest.Entry e; (e = r.next()) != null; ) {
      files++;
      String name = e.name();
      int slash = name.indexOf('/');
      Lent l = slash < 0 ? null : lent.get(name.substring(0, slash));
      String rel = slash < 0 ? null : name.substring(slash + 1);
      if (l == null || TarNames.problem(rel) != null || rel.equals(TarNames.ROOT)) {
        continue; // not a kept context's file: sent in the upload as it is
      }
      if (l.newPrints == null) {
        l.newPrints = new ContextPrints.Builder();
      }
      if (l.prints != null && l.prints.holds(l.dir, rel, e.print(), realDirs)) {
        l.newPrints.addHeld(rel, e.print(), l.prints);
        l.session(spoolDir, name.substring(0, slash), maxBytes).keep(rel, e.print().size());
        ContextManifest.writeName(answer, name);
        held++;
      } else {
        l.newPrints.add(rel, e.print());
      }
    }
    dev.jbuild.builder.progress.Trace.mark(
        "context manifest: " + held + " of " + files + " files held");
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
        if (l.newPrints != null) {
          l.newPrints.rewritten(rel);
        }
        l.session(spoolDir, item, maxBytes).offer(e.withName(rel), reader.content());
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
        dev.jbuild.builder.progress.Trace.mark("context synced: " + l.whole);
        sent.put(x.getKey(), l.whole);
        if (l.newPrints != null) {
          l.wholePrints = l.newPrints.build(l.dir);
        }
      }
    }
    return sent.keySet();
  }

  /** After the command: whole directories back to the pool, the others deleted. */
  @Override
  public void close() {
    for (Lent l : lent.values()) {
      if (l.whole != null) {
        pool.give(l.key, l.dir, l.whole.bytes(), l.wholePrints);
      } else {
        pool.discard(l.dir);
      }
    }
    lent.clear();
  }
}

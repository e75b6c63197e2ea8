package dev.jbuild.builder.context;

import java.io.IOException;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * Hashes the context's files ahead of the COPY steps while the build would otherwise only wait for
 * the network (a {@code --cache-from} import): on a fresh store no hash is memoised, and the first
 * COPY from the context reads every file it brings. Walks the context as COPY does (.dockerignore
 * applied, no symlink followed out of it) and hashes its regular files into the context's {@link
 * FileHashCache}, stopping as soon as {@code stop} says so; the COPY steps then find those hashes
 * memoised. A file that cannot be read is skipped: the step that needs it reports it.
 */
public final class HashPrefetch {
  private HashPrefetch() {}

  /** Starts the walk on a virtual thread; join it before the hash cache is saved. */
  public static Thread start(BuildContext ctx, BooleanSupplier stop) {
    return Thread.ofVirtual().name("hash-prefetch").start(() -> run(ctx, stop));
  }

  static void run(BuildContext ctx, BooleanSupplier stop) {
    try {
      ContextFile root = ctx.resolve(".", false).getFirst();
      for (Iterator<ContextFile> it = ctx.walk(root, IgnoreFilter.NONE);
          it.hasNext() && !stop.getAsBoolean(); ) {
        ContextFile f = it.next();
        if (f.stat().isRegularFile()) {
          try {
            ctx.contentHash(f);
          } catch (IOException e) {
            // the COPY that needs it reports it
          }
        }
      }
    } catch (ContextException | RuntimeException e) {
      // an unreadable context: the steps report it
    }
  }
}

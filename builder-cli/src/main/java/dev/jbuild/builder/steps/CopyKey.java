package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;

/**
 * COPY's and ADD's key inputs: the instruction's flags and sources as written, and for every
 * context file a source brings its path, type, mode, link target and content hash (memoised by
 * stat, so an unchanged context is never read).
 */
final class CopyKey {
  private CopyKey() {}

  /** The instruction as it enters the key: every flag, the sources as written. */
  static String canonical(FileInstruction in) {
    StringBuilder b = new StringBuilder(in instanceof AddInstruction ? "ADD" : "COPY");
    b.append(" chown=").append(in.chown().orElse(""));
    b.append(" chmod=").append(in.chmod().orElse(""));
    b.append(" link=").append(in.link());
    if (in instanceof CopyInstruction c) {
      b.append(" parents=").append(c.parents());
    }
    if (in instanceof AddInstruction a) {
      b.append(" checksum=").append(a.checksum().orElse(""));
      b.append(" keepGitDir=").append(a.keepGitDir());
      b.append(" unpack=").append(a.unpack().map(String::valueOf).orElse(""));
    }
    b.append(" exclude=").append(String.join(",", in.excludes()));
    b.append(" sources=").append(String.join(" ", in.sources()));
    return b.toString();
  }

  /** Adds a source's files: path, type, mode, link target and content hash each. */
  static void hashTree(KeyBuilder key, BuildContext ctx, ContextFile top, IgnoreFilter excludes)
      throws IOException {
    key.put("src:" + top.rel(), describe(ctx, top));
    if (!top.stat().isDirectory()) {
      return;
    }
    for (Iterator<ContextFile> it = ctx.walk(top, excludes); it.hasNext(); ) {
      ContextFile f = it.next();
      key.put("file:" + f.rel(), describe(ctx, f));
    }
  }

  private static String describe(BuildContext ctx, ContextFile f) throws IOException {
    Stat s = f.stat();
    String mode = Integer.toOctalString(s.mode());
    if (s.isRegularFile()) {
      return mode + " " + ctx.contentHash(f).hex();
    }
    if (s.isSymlink()) {
      return mode + " -> " + Files.readSymbolicLink(f.path());
    }
    if (s.isCharDevice() || s.isBlockDevice()) {
      return mode + " " + s.rdevMajor() + ":" + s.rdevMinor();
    }
    return mode;
  }
}

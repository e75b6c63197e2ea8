package dev.jbuild.cli;

import dev.jbuild.serve.ContextPrints.Print;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Client mode's context manifest: before it sends a build context, the client lists the context's
 * regular files with what {@code lstat} says of them ({@link Print}, kept by the daemon in {@link
 * dev.jbuild.serve.ContextPrints}); the daemon answers which of them it already holds unchanged in
 * the directory it kept from the same client's last build ("have" names), and the client then
 * leaves their content out of the upload. A no-op rebuild sends a few hundred bytes per thousand
 * files instead of the whole context (BuildKit's file sync does the same with its own stat
 * records).
 *
 * <p>The daemon trusts a print only to decide what this client's own earlier upload still holds:
 * the kept directories are keyed by the client's identity ({@code ContextPool}), so a print that
 * lies gives the client its own earlier bytes, never anybody else's. A print names the inode and
 * the change time, which nobody can set back: an edit, a {@code touch}, a {@code cp -p} over the
 * file all change it.
 *
 * <p>Wire format, both NUL-delimited (a file name never holds a NUL): the manifest is, per file,
 * {@code ITEM/PATH \0 "size mtimeNs ctimeNs ino dev mode uid gid" \0}; the answer starts with
 * {@code have\0} followed by names, each {@code \0}-terminated, or is {@code none\0}: the daemon
 * will not read an upload (the command failed before it needed one), send an empty one.
 */
public final class ContextManifest {
  private ContextManifest() {}

  /** The longest name a record may carry (Linux's PATH_MAX) plus the item number. */
  static final int MAX_NAME = 4096 + 16;

  static final String HAVE = "have";
  static final String NONE = "none";

  static String encode(Print p) {
    return p.size()
        + " "
        + p.mtimeNanos()
        + " "
        + p.ctimeNanos()
        + " "
        + p.ino()
        + " "
        + p.dev()
        + " "
        + p.mode()
        + " "
        + p.uid()
        + " "
        + p.gid();
  }

  static Print decode(String s) {
    String[] f = s.split(" ", -1);
    if (f.length != 8) {
      throw new IllegalArgumentException("a manifest record has " + f.length + " fields");
    }
    Print p =
        new Print(
            Long.parseLong(f[0]),
            Long.parseLong(f[1]),
            Long.parseLong(f[2]),
            Long.parseLong(f[3]),
            Long.parseLong(f[4]),
            Integer.parseInt(f[5]),
            Long.parseLong(f[6]),
            Long.parseLong(f[7]));
    if (p.size() < 0 || p.mode() < 0 || p.mode() > 07777 || p.uid() < 0 || p.gid() < 0) {
      throw new IllegalArgumentException("a manifest record is out of range");
    }
    return p;
  }

  /** One record read: {@code ITEM/PATH} and its print. */
  public record Entry(String name, Print print) {}

  /** Writes one record. */
  static void write(OutputStream out, String name, Print p) throws IOException {
    out.write(name.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.write(encode(p).getBytes(StandardCharsets.US_ASCII));
    out.write(0);
  }

  /** Reads a manifest record by record; hostile input: every field is checked and bounded. */
  static final class Reader {
    private final InputStream in;

    Reader(InputStream in) {
      this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** The next record, or null at the end. */
    Entry next() throws IOException {
      String name = field(MAX_NAME, true);
      if (name == null) {
        return null;
      }
      String print = field(200, false);
      if (print == null) {
        throw new IOException("the context manifest ends inside a record");
      }
      try {
        return new Entry(name, decode(print));
      } catch (IllegalArgumentException e) {
        throw new IOException("bad context manifest record for " + name + ": " + e.getMessage());
      }
    }

    private String field(int max, boolean endOk) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c; (c = in.read()) != 0; ) {
        if (c < 0) {
          if (endOk && b.size() == 0) {
            return null;
          }
          throw new IOException("the context manifest ends inside a record");
        }
        if (b.size() >= max) {
          throw new IOException("a context manifest field is longer than " + max + " bytes");
        }
        b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * The daemon's answer as the client reads it: the names it may leave out, or null for "none"
   * (send an empty upload). At most {@code maxNames} names are believed; the rest are sent.
   */
  static Set<String> readAnswer(InputStream in, int maxNames) throws IOException {
    Reader r = new Reader(in);
    String kind = r.field(8, true);
    if (NONE.equals(kind)) {
      return null;
    }
    if (!HAVE.equals(kind)) {
      throw new IOException("the daemon's context answer starts with " + kind);
    }
    Set<String> have = new HashSet<>();
    for (String n; (n = r.field(MAX_NAME, true)) != null; ) {
      if (have.size() < maxNames) {
        have.add(n);
      }
    }
    return have;
  }

  /** Starts an answer. */
  static void writeAnswerKind(OutputStream out, boolean have) throws IOException {
    out.write((have ? HAVE : NONE).getBytes(StandardCharsets.US_ASCII));
    out.write(0);
  }

  /** One name of a "have" answer. */
  static void writeName(OutputStream out, String name) throws IOException {
    out.write(name.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }
}

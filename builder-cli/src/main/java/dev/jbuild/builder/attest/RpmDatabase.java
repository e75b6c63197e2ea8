package dev.jbuild.builder.attest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * rpm's package database in its SQLite form ({@code rpmdb.sqlite}: rpm 4.16 and later, the default
 * of Fedora 33+, RHEL/UBI/Rocky/Alma 9, Amazon Linux 2023), read without SQLite: the file format is
 * documented (sqlite.org/fileformat2.html) and rpm uses one table, {@code Packages (hnum INTEGER
 * PRIMARY KEY, blob BLOB)}, whose blobs are rpm headers (index entries of tag, type, offset, count,
 * then the data). Frames of a {@code -wal} file, committed ones only, replace the pages they name,
 * as SQLite reads them.
 *
 * <p>The bytes are hostile: every offset is checked against the page, every page number against the
 * file, the b-tree walk visits each page once (a loop in the pages ends it), and the counts are
 * bounded; a malformed database gives a note, never an exception. The older Berkeley DB and ndb
 * formats (RHEL 8 and before, SUSE) are not read: a note says so.
 */
final class RpmDatabase {
  private RpmDatabase() {}

  /** Thrown for a malformed database: the message goes into the SBOM scan's notes. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  /** The packages of the database (with its WAL, or null), as purls of type rpm. */
  static List<Pkg> packages(byte[] db, byte[] wal, String source, DistroPackages.Distro distro)
      throws Malformed {
    Pages pages = new Pages(db, wal);
    int root = packagesRoot(pages);
    List<Pkg> out = new ArrayList<>();
    String ns = distro.id() == null ? "redhat" : distro.id();
    for (byte[] blob : tableRows(pages, root, 1)) {
      Pkg p = header(blob, source, ns, distro);
      if (p != null) {
        out.add(p);
      }
      if (out.size() >= DistroPackages.MAX_PACKAGES) {
        break;
      }
    }
    return out;
  }

  /** Whether these bytes start like an SQLite database. */
  static boolean isSqlite(byte[] b) {
    return b.length >= 100 && java.util.Arrays.equals(b, 0, 16, MAGIC, 0, 16);
  }

  // ---- SQLite pages ----

  /** The database's pages, WAL frames laid over them. */
  private static final class Pages {
    final byte[] db;
    final int pageSize;
    final int usable;
    final int count;
    final Map<Integer, Integer> walFrames = new HashMap<>();
    final byte[] wal;

    Pages(byte[] db, byte[] wal) throws Malformed {
      if (!isSqlite(db)) {
        throw new Malformed("not an SQLite database");
      }
      this.db = db;
      int ps = u16(db, 16);
      pageSize = ps == 1 ? 65536 : ps;
      if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
        throw new Malformed("bad page size " + pageSize);
      }
      usable = pageSize - (db[20] & 0xff);
      if (usable < 480) {
        throw new Malformed("bad reserved space");
      }
      int encoding = u32(db, 56);
      if (encoding != 0 && encoding != 1) {
        throw new Malformed("text encoding is not UTF-8");
      }
      this.wal = wal;
      int walPages = walIndex(wal);
      count = Math.max(db.length / pageSize, walPages);
    }

    /** Indexes the committed frames of the WAL; returns the database size it commits, or 0. */
    private int walIndex(byte[] w) {
      if (w == null || w.length < 32) {
        return 0;
      }
      int magic = u32(w, 0);
      if ((magic & 0xfffffffe) != 0x377f0682 || u32(w, 8) != pageSize) {
        return 0;
      }
      int salt1 = u32(w, 16);
      int salt2 = u32(w, 20);
      Map<Integer, Integer> pending = new HashMap<>();
      int size = 0;
      int frame = 0;
      for (long off = 32; off + 24 + pageSize <= w.length; off += 24 + pageSize, frame++) {
        int o = (int) off;
        if (u32(w, o + 8) != salt1 || u32(w, o + 12) != salt2) {
          break; // a frame of an older generation: the log ends here
        }
        int page = u32(w, o);
        if (page <= 0) {
          break;
        }
        pending.put(page, o + 24);
        int commit = u32(w, o + 4);
        if (commit != 0) {
          walFrames.putAll(pending);
          pending.clear();
          size = commit;
        }
      }
      return size;
    }

    /** Page {@code n} (1-based): its bytes and where they start in the array. */
    Slice page(int n) throws Malformed {
      if (n < 1 || n > count) {
        throw new Malformed("page " + n + " out of range");
      }
      Integer f = walFrames.get(n);
      if (f != null) {
        return new Slice(wal, f);
      }
      long start = (long) (n - 1) * pageSize;
      if (start + pageSize > db.length) {
        throw new Malformed("page " + n + " beyond the file");
      }
      return new Slice(db, (int) start);
    }
  }

  private record Slice(byte[] b, int base) {}

  /** The root page of the Packages table, from sqlite_master (the table rooted at page 1). */
  private static int packagesRoot(Pages pages) throws Malformed {
    for (byte[] rec : tableRowsRaw(pages, 1)) {
      List<Object> cols = record(rec);
      if (cols.size() >= 4
          && "table".equals(cols.get(0))
          && "Packages".equals(cols.get(1))
          && cols.get(3) instanceof Long root) {
        return (int) (long) root;
      }
    }
    throw new Malformed("no Packages table");
  }

  /** Column {@code col} of every row of the table rooted at {@code root}, when it is a blob. */
  private static List<byte[]> tableRows(Pages pages, int root, int col) throws Malformed {
    List<byte[]> out = new ArrayList<>();
    for (byte[] rec : tableRowsRaw(pages, root)) {
      List<Object> cols = record(rec);
      if (cols.size() > col && cols.get(col) instanceof byte[] b) {
        out.add(b);
      }
    }
    return out;
  }

  /** The payload of every row of a table b-tree, in rowid order. */
  private static List<byte[]> tableRowsRaw(Pages pages, int root) throws Malformed {
    List<byte[]> out = new ArrayList<>();
    java.util.BitSet seen = new java.util.BitSet();
    java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      int n = todo.pop();
      Slice s = visit(pages, n, seen);
      int h = s.base + (n == 1 ? 100 : 0);
      int type = u8(s.b, h);
      int cells = u16(s.b, h + 3);
      int end = s.base + pages.pageSize;
      check(h + (type == 5 ? 12 : 8) + 2L * cells <= end, "cell pointers beyond page " + n);
      if (type == 5) {
        List<Integer> children = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
          int cell = s.base + u16(s.b, h + 12 + 2 * i);
          check(cell + 4 <= end, "cell beyond page " + n);
          children.add(u32(s.b, cell));
        }
        children.add(u32(s.b, h + 8));
        for (int i = children.size() - 1; i >= 0; i--) {
          todo.push(children.get(i));
        }
      } else if (type == 13) {
        for (int i = 0; i < cells; i++) {
          int cell = s.base + u16(s.b, h + 8 + 2 * i);
          check(cell < end, "cell beyond page " + n);
          out.add(leafPayload(pages, s.b, cell, end, seen));
          check(out.size() <= 4 * DistroPackages.MAX_PACKAGES, "too many rows");
        }
      } else {
        throw new Malformed("page " + n + " is not a table page");
      }
    }
    return out;
  }

  /** Page {@code n}, once: a page reached twice is a loop (or a shared chain) in hostile bytes. */
  private static Slice visit(Pages pages, int n, java.util.BitSet seen) throws Malformed {
    Slice s = pages.page(n); // checks the range first
    check(!seen.get(n), "page " + n + " reached twice");
    seen.set(n);
    return s;
  }

  /** A table leaf cell's payload, gathered from its overflow pages when it spills. */
  private static byte[] leafPayload(Pages pages, byte[] b, int cell, int end, java.util.BitSet seen)
      throws Malformed {
    long[] v = varint(b, cell, end);
    long size = v[0];
    int p = (int) v[1];
    p = (int) varint(b, p, end)[1]; // the rowid
    check(
        size >= 0 && size <= PackageScan.MAX_DATABASE && size <= (long) pages.count * pages.usable,
        "payload size " + size);
    int total = (int) size;
    int u = pages.usable;
    int x = u - 35;
    int local;
    if (total <= x) {
      local = total;
    } else {
      int m = ((u - 12) * 32 / 255) - 23;
      int k = m + ((total - m) % (u - 4));
      local = k <= x ? k : m;
    }
    check(p + local <= end, "payload beyond its page");
    byte[] out = new byte[total];
    System.arraycopy(b, p, out, 0, local);
    int have = local;
    if (have < total) {
      check(p + local + 4 <= end, "overflow pointer beyond its page");
      int next = u32(b, p + local);
      while (have < total) {
        check(next != 0, "overflow chain ends early");
        Slice o = visit(pages, next, seen);
        int chunk = Math.min(u - 4, total - have);
        System.arraycopy(o.b, o.base + 4, out, have, chunk);
        have += chunk;
        next = u32(o.b, o.base);
      }
    }
    return out;
  }

  /** A record's columns: null, Long, Double, String or byte[]. */
  private static List<Object> record(byte[] rec) throws Malformed {
    long[] hv = varint(rec, 0, rec.length);
    int headerEnd = (int) hv[0];
    check(headerEnd >= 1 && headerEnd <= rec.length, "bad record header");
    int p = (int) hv[1];
    int body = headerEnd;
    List<Object> cols = new ArrayList<>();
    while (p < headerEnd) {
      long[] t = varint(rec, p, headerEnd);
      p = (int) t[1];
      long st = t[0];
      int len = serialLength(st);
      check(body + len <= rec.length, "record column beyond the record");
      cols.add(value(rec, body, st, len));
      body += len;
      check(cols.size() <= 64, "too many columns");
    }
    return cols;
  }

  private static int serialLength(long st) throws Malformed {
    if (st >= 12) {
      check(st < (1L << 32), "bad serial type");
      return (int) ((st - 12) / 2);
    }
    return switch ((int) st) {
      case 0, 8, 9 -> 0;
      case 1 -> 1;
      case 2 -> 2;
      case 3 -> 3;
      case 4 -> 4;
      case 5 -> 6;
      case 6, 7 -> 8;
      default -> throw new Malformed("bad serial type " + st);
    };
  }

  private static Object value(byte[] b, int off, long st, int len) {
    if (st == 0) {
      return null;
    }
    if (st == 8) {
      return 0L;
    }
    if (st == 9) {
      return 1L;
    }
    if (st >= 12) {
      return st % 2 == 0
          ? java.util.Arrays.copyOfRange(b, off, off + len)
          : new String(b, off, len, StandardCharsets.UTF_8);
    }
    if (st == 7) {
      return Double.longBitsToDouble(signed(b, off, 8));
    }
    return signed(b, off, len);
  }

  private static long signed(byte[] b, int off, int len) {
    long v = b[off]; // sign-extended
    for (int i = 1; i < len; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  /** SQLite's varint at {@code off}: {value, offset after it}. */
  private static long[] varint(byte[] b, int off, int end) throws Malformed {
    long v = 0;
    for (int i = 0; i < 9; i++) {
      check(off + i < end && off + i < b.length, "varint beyond its page");
      int c = b[off + i] & 0xff;
      if (i == 8) {
        return new long[] {(v << 8) | c, off + 9};
      }
      v = (v << 7) | (c & 0x7f);
      if ((c & 0x80) == 0) {
        return new long[] {v, off + i + 1};
      }
    }
    throw new AssertionError();
  }

  // ---- rpm headers ----

  private static final int NAME = 1000;
  private static final int VERSION = 1001;
  private static final int RELEASE = 1002;
  private static final int EPOCH = 1003;
  private static final int LICENSE = 1014;
  private static final int ARCH = 1022;
  private static final int SOURCERPM = 1044;

  /** The package of one header blob, or null when it names none (rpm's gpg-pubkey entries). */
  static Pkg header(byte[] h, String source, String ns, DistroPackages.Distro distro)
      throws Malformed {
    check(h.length >= 8, "rpm header too short");
    long il = u32(h, 0) & 0xffffffffL;
    long dl = u32(h, 4) & 0xffffffffL;
    check(il <= 100_000 && 8 + il * 16 + dl <= h.length, "rpm header sizes beyond its blob");
    int data = (int) (8 + il * 16);
    Map<Integer, Object> tags = new HashMap<>();
    for (int i = 0; i < il; i++) {
      int e = 8 + 16 * i;
      int tag = u32(h, e);
      int type = u32(h, e + 4);
      int off = u32(h, e + 8);
      if (tag != NAME
          && tag != VERSION
          && tag != RELEASE
          && tag != EPOCH
          && tag != LICENSE
          && tag != ARCH
          && tag != SOURCERPM) {
        continue;
      }
      check(off >= 0 && off < dl, "rpm tag " + tag + " beyond the data");
      int at = data + off;
      int limit = (int) (data + dl);
      if (type == 4) { // INT32
        check(at + 4 <= limit, "rpm tag " + tag + " beyond the data");
        tags.put(tag, (long) u32(h, at));
      } else if (type == 6 || type == 8 || type == 9) { // STRING, STRING_ARRAY, I18NSTRING
        int z = at;
        while (z < limit && h[z] != 0) {
          z++;
        }
        check(z < limit, "rpm tag " + tag + " not terminated");
        tags.put(tag, new String(h, at, z - at, StandardCharsets.UTF_8));
      }
    }
    if (!(tags.get(NAME) instanceof String name)
        || !(tags.get(VERSION) instanceof String version)
        || name.isEmpty()
        || name.equals("gpg-pubkey")) {
      return null;
    }
    String release = tags.get(RELEASE) instanceof String r ? r : null;
    String full = release == null || release.isEmpty() ? version : version + "-" + release;
    StringBuilder q = new StringBuilder();
    if (tags.get(ARCH) instanceof String arch && !arch.isEmpty()) {
      q.append(Pkg.qualifier("arch", arch));
    }
    if (tags.get(EPOCH) instanceof Long epoch && epoch != 0) {
      q.append(q.isEmpty() ? "" : "&").append(Pkg.qualifier("epoch", Long.toString(epoch)));
    }
    if (tags.get(SOURCERPM) instanceof String src && !src.isEmpty() && !src.equals("(none)")) {
      q.append(q.isEmpty() ? "" : "&").append(Pkg.qualifier("upstream", src));
    }
    String dq = distro.qualifier();
    if (dq != null) {
      q.append(q.isEmpty() ? "" : "&").append(dq);
    }
    String license = tags.get(LICENSE) instanceof String l && !l.isEmpty() ? l : null;
    return new Pkg("rpm", ns, name, full, q.toString(), source, license);
  }

  // ---- bytes ----

  private static void check(boolean ok, String what) throws Malformed {
    if (!ok) {
      throw new Malformed(what);
    }
  }

  private static int u8(byte[] b, int off) {
    return b[off] & 0xff;
  }

  private static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  private static int u32(byte[] b, int off) {
    return ((b[off] & 0xff) << 24)
        | ((b[off + 1] & 0xff) << 16)
        | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }
}

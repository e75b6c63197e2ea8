package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.tar.format.PaxHeaders;
import dev.jbuild.layercache.tar.format.TarInput;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the entries of a layer tar, any compression detected from its magic bytes.
 *
 * <pre>{@code
 * try (LayerReader r = LayerReader.open(in)) {
 *   for (TarEntry e; (e = r.next()) != null; ) {
 *     if (e.type() == EntryType.FILE) { r.content().transferTo(out); }
 *   }
 * }
 * }</pre>
 *
 * <p>Understands ustar, PAX (path, linkpath, size, uid, gid, mtime with fractions, {@code
 * SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} with binary values kept byte for byte, global
 * headers), GNU long names and links, base-256 numbers and old (v7) headers. Names are cleaned
 * ({@link TarNames#clean}: leading "/" and "./" dropped); a name or hardlink target with a ".."
 * component is rejected. Truncated or malformed input gives a {@link LayerFormatException} naming
 * the entry. The whole archive must end with the end-of-archive marker.
 */
public final class LayerReader implements Closeable {
  private static final int BLOCK = 512;

  /** At most this many bytes in one PAX ('x', 'g') or GNU long name ('L', 'K') header. */
  public static final int MAX_META = 1024 * 1024;

  /**
   * At most this many bytes of extended headers before one entry, and of global PAX records kept
   * (keys and values), so a stream of headers cannot grow memory.
   */
  public static final int MAX_META_TOTAL = 1024 * 1024;

  /** At most this many characters in a PAX number (size, uid, gid, mtime). */
  public static final int MAX_PAX_NUMBER = 32;

  private final TarInput input;
  private final Closeable resource;
  private final byte[] header = new byte[BLOCK];
  private final Map<String, byte[]> globals = new HashMap<>();
  private TarEntry current;
  private long remaining;
  private long padding;
  private long dataOffset;
  private String lastName;
  private boolean done;
  private final ContentStream content = new ContentStream();

  private LayerReader(TarInput input, Closeable resource) {
    this.input = input;
    this.resource = resource;
  }

  /** Reads a tar from {@code in}, decompressing it when it is compressed. Closes {@code in}. */
  public static LayerReader open(InputStream in) throws IOException {
    InputStream raw;
    try {
      raw = Compression.decompressing(in);
    } catch (LayerFormatException e) {
      throw e;
    } catch (IOException e) {
      in.close();
      throw corrupt(null, e); // a compressed stream whose header is already wrong
    }
    return new LayerReader(TarInput.of(raw), raw);
  }

  /**
   * Reads the tar in file {@code blob}, decompressing it when it is compressed; an uncompressed tar
   * is read through a file channel, so {@link #contentTo} copies file data in the kernel.
   */
  public static LayerReader open(Path blob) throws IOException {
    FileChannel ch = FileChannel.open(blob, StandardOpenOption.READ);
    try {
      byte[] head = new byte[Compression.MAGIC_LENGTH];
      int n = ch.read(java.nio.ByteBuffer.wrap(head));
      ch.position(0);
      Compression c = Compression.detect(head, Math.max(0, n));
      if (c == Compression.NONE) {
        return new LayerReader(TarInput.of(ch), ch);
      }
      InputStream raw;
      try {
        raw =
            c.decompress(
                new BufferedInputStream(java.nio.channels.Channels.newInputStream(ch), 1 << 18));
      } catch (LayerFormatException e) {
        throw e;
      } catch (IOException e) {
        throw corrupt(null, e);
      }
      return new LayerReader(TarInput.of(raw), raw);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The next entry, or null after the last one. Skips what is left of the previous content. */
  public TarEntry next() throws IOException {
    try {
      return nextEntry();
    } catch (LayerFormatException e) {
      throw e;
    } catch (IOException e) {
      throw corrupt(current != null ? current.name() : lastName, e);
    }
  }

  /**
   * A decompression failure (truncated gzip, corrupt zstd) as a layer error naming the entry being
   * read.
   */
  private static LayerFormatException corrupt(String entry, IOException e) {
    if (e instanceof java.io.EOFException) {
      return new LayerFormatException(
          entry == null ? TarErrors.truncatedHeader(null) : TarErrors.truncated(entry), e);
    }
    return new LayerFormatException(
        TarErrors.corrupt(entry == null ? "(first entry)" : entry, String.valueOf(e.getMessage())),
        e);
  }

  private TarEntry nextEntry() throws IOException {
    if (done) {
      return null;
    }
    if (current != null) {
      if (!input.skip(remaining + padding)) {
        throw new LayerFormatException(TarErrors.truncated(current.name()));
      }
      remaining = 0;
      padding = 0;
      current = null;
    }
    Map<String, byte[]> pax = new HashMap<>();
    String gnuName = null;
    String gnuLink = null;
    long metaBytes = 0;
    while (true) {
      int n = input.readFully(header, 0, BLOCK);
      if (n == 0) {
        throw new LayerFormatException(
            lastName == null ? "malformed layer tar: empty input" : TarErrors.missingEnd(lastName));
      }
      if (n < BLOCK) {
        throw new LayerFormatException(TarErrors.truncatedHeader(lastName));
      }
      if (isZero(header)) {
        // End of archive: a second zero block normally follows; tolerate its absence.
        input.readFully(header, 0, BLOCK);
        done = true;
        return null;
      }
      verifyChecksum();
      char flag = (char) (header[156] & 0xff);
      String rawName = headerName();
      long size = number(124, 12, rawName);
      if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
        checkMetaSize(size, rawName);
        metaBytes += size;
        if (metaBytes > MAX_META_TOTAL) {
          throw new LayerFormatException(
              TarErrors.badHeader(
                  describe(rawName),
                  "extended headers of more than " + MAX_META_TOTAL + " bytes before one entry"));
        }
      }
      switch (flag) {
        case 'x', 'g' -> {
          byte[] data = meta(size, rawName);
          Map<String, byte[]> records;
          try {
            records = PaxHeaders.parse(data, data.length);
          } catch (IllegalArgumentException e) {
            throw new LayerFormatException(
                TarErrors.badHeader(describe(rawName), "PAX header: " + e.getMessage()));
          }
          (flag == 'x' ? pax : globals).putAll(records);
          if (flag == 'g' && recordBytes(globals) > MAX_META_TOTAL) {
            throw new LayerFormatException(
                TarErrors.badHeader(
                    describe(rawName),
                    "global PAX records of more than " + MAX_META_TOTAL + " bytes"));
          }
          continue;
        }
        case 'L' -> {
          gnuName = cString(meta(size, rawName));
          continue;
        }
        case 'K' -> {
          gnuLink = cString(meta(size, rawName));
          continue;
        }
        default -> {}
      }
      Map<String, byte[]> ext = new HashMap<>(globals);
      ext.putAll(pax);
      return entry(flag, rawName, size, ext, gnuName, gnuLink);
    }
  }

  private TarEntry entry(
      char flag,
      String rawName,
      long headerSize,
      Map<String, byte[]> ext,
      String gnuName,
      String gnuLink)
      throws IOException {
    String name =
        ext.containsKey("path") ? utf8(ext.get("path")) : gnuName != null ? gnuName : rawName;
    String link =
        ext.containsKey("linkpath")
            ? utf8(ext.get("linkpath"))
            : gnuLink != null ? gnuLink : field(157, 100);
    String shown = describe(name);
    EntryType type =
        switch (flag) {
          case '0', '\0', '7' -> name.endsWith("/") ? EntryType.DIR : EntryType.FILE;
          case '1' -> EntryType.HARDLINK;
          case '2' -> EntryType.SYMLINK;
          case '3' -> EntryType.CHAR;
          case '4' -> EntryType.BLOCK;
          case '5' -> EntryType.DIR;
          case '6' -> EntryType.FIFO;
          default -> throw new LayerFormatException(TarErrors.unsupportedType(shown, flag));
        };
    long size = ext.containsKey("size") ? paxLong(ext.get("size"), "size", shown) : headerSize;
    if (size < 0) {
      throw new LayerFormatException(TarErrors.badHeader(shown, "negative size"));
    }
    long uid =
        ext.containsKey("uid") ? paxLong(ext.get("uid"), "uid", shown) : number(108, 8, shown);
    long gid =
        ext.containsKey("gid") ? paxLong(ext.get("gid"), "gid", shown) : number(116, 8, shown);
    Instant mtime =
        ext.containsKey("mtime")
            ? paxTime(ext.get("mtime"), shown)
            : Instant.ofEpochSecond(number(136, 12, shown));
    int mode = (int) (number(100, 8, shown) & 07777);
    int major = 0;
    int minor = 0;
    if (type.isDevice()) {
      major = (int) number(329, 8, shown);
      minor = (int) number(337, 8, shown);
    }
    TreeMap<String, byte[]> xattrs = new TreeMap<>();
    for (Map.Entry<String, byte[]> x : ext.entrySet()) {
      String k = x.getKey();
      if (k.startsWith("SCHILY.xattr.")) {
        xattrs.put(k.substring("SCHILY.xattr.".length()), x.getValue());
      } else if (k.startsWith("LIBARCHIVE.xattr.")) {
        try {
          String xn =
              URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
          xattrs.putIfAbsent(xn, Base64.getDecoder().decode(x.getValue()));
        } catch (IllegalArgumentException e) {
          throw new LayerFormatException(TarErrors.badHeader(shown, "bad LIBARCHIVE.xattr record"));
        }
      }
    }
    String clean = TarNames.clean(name);
    String problem = TarNames.problem(clean);
    if (problem != null) {
      throw new LayerFormatException(TarErrors.escapes(shown, problem));
    }
    if (clean.equals(TarNames.ROOT) && type != EntryType.DIR) {
      throw new LayerFormatException(TarErrors.badHeader(shown, "the root must be a directory"));
    }
    if (type == EntryType.HARDLINK) {
      link = TarNames.clean(link);
      String lp = TarNames.problem(link);
      if (lp != null || link.equals(TarNames.ROOT)) {
        throw new LayerFormatException(
            TarErrors.escapes(
                shown, "hardlink target '" + link + "': " + (lp == null ? "the root" : lp)));
      }
    } else if (type == EntryType.SYMLINK && link.isEmpty()) {
      throw new LayerFormatException(TarErrors.badHeader(shown, "symlink without a target"));
    } else if (type != EntryType.SYMLINK) {
      link = "";
    }
    long contentSize = type == EntryType.FILE ? size : 0;
    TarEntry e;
    try {
      e = new TarEntry(clean, type, mode, uid, gid, contentSize, mtime, link, major, minor, xattrs);
    } catch (IllegalArgumentException ex) {
      throw new LayerFormatException(TarErrors.badHeader(shown, ex.getMessage()));
    }
    current = e;
    lastName = shown;
    dataOffset = input.position();
    // Entries other than files may still carry data in the archive (e.g. hardlinks with a size):
    // it is skipped.
    remaining = size;
    padding = (BLOCK - size % BLOCK) % BLOCK;
    return e;
  }

  /**
   * The current entry's content (what is left of it). Reading it does not close anything; reading
   * past the end returns -1.
   */
  public InputStream content() {
    return content;
  }

  /** The offset of the current entry's data in the uncompressed tar. */
  public long dataOffset() {
    return dataOffset;
  }

  /**
   * Copies what is left of the current entry's content to {@code out}: in the kernel ({@code
   * copy_file_range}) when reading an uncompressed file opened with {@link #open(Path)}.
   */
  public void contentTo(FileChannel out) throws IOException {
    if (current == null) {
      return;
    }
    if (current.type() == EntryType.FILE && remaining > 0) {
      long n = remaining;
      boolean complete;
      try {
        complete = input.transferTo(n, out);
      } catch (java.io.EOFException | java.util.zip.ZipException e) {
        throw corrupt(current.name(), e);
      }
      if (!complete) {
        throw new LayerFormatException(TarErrors.truncated(current.name()));
      }
      remaining = 0;
    }
  }

  private final class ContentStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (current == null || current.type() != EntryType.FILE || remaining == 0) {
        return -1;
      }
      int n;
      try {
        n = input.read(b, off, (int) Math.min(len, remaining));
      } catch (LayerFormatException e) {
        throw e;
      } catch (IOException e) {
        throw corrupt(current.name(), e);
      }
      if (n < 0) {
        throw new LayerFormatException(TarErrors.truncated(current.name()));
      }
      remaining -= n;
      return n;
    }

    @Override
    public int available() {
      return 0;
    }

    @Override
    public void close() {
      // the reader owns the input
    }
  }

  private static long recordBytes(Map<String, byte[]> records) {
    long n = 0;
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      n += r.getKey().length() + r.getValue().length;
    }
    return n;
  }

  private byte[] meta(long size, String rawName) throws IOException {
    checkMetaSize(size, rawName);
    byte[] data = new byte[(int) size];
    if (input.readFully(data, 0, data.length) < data.length
        || !input.skip((BLOCK - size % BLOCK) % BLOCK)) {
      throw new LayerFormatException(TarErrors.truncated(describe(rawName)));
    }
    return data;
  }

  private static void checkMetaSize(long size, String rawName) throws LayerFormatException {
    if (size > MAX_META) {
      throw new LayerFormatException(
          TarErrors.badHeader(
              describe(rawName),
              "extended header of " + size + " bytes is over the limit of " + MAX_META));
    }
  }

  private void verifyChecksum() throws LayerFormatException {
    long stored;
    try {
      stored = octal(148, 8);
    } catch (NumberFormatException e) {
      throw new LayerFormatException(TarErrors.badChecksum(lastName));
    }
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int b = (i >= 148 && i < 156) ? ' ' : header[i];
      unsigned += b & 0xff;
      signed += (i >= 148 && i < 156) ? ' ' : header[i];
    }
    if (stored != unsigned && stored != signed) {
      throw new LayerFormatException(TarErrors.badChecksum(lastName));
    }
  }

  private String headerName() {
    String name = field(0, 100);
    boolean posix =
        header[257] == 'u'
            && header[258] == 's'
            && header[259] == 't'
            && header[260] == 'a'
            && header[261] == 'r'
            && header[262] == 0;
    if (posix) {
      String prefix = field(345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  private String field(int off, int width) {
    int end = off;
    while (end < off + width && header[end] != 0) {
      end++;
    }
    return new String(header, off, end - off, StandardCharsets.UTF_8);
  }

  private long number(int off, int width, String name) throws LayerFormatException {
    if ((header[off] & 0x80) != 0) {
      if ((header[off] & 0x40) != 0) {
        throw new LayerFormatException(
            TarErrors.badHeader(describe(name), "negative base-256 number"));
      }
      long v = header[off] & 0x3f;
      for (int i = 1; i < width; i++) {
        if ((v >>> 55) != 0) {
          throw new LayerFormatException(TarErrors.badHeader(describe(name), "number too large"));
        }
        v = (v << 8) | (header[off + i] & 0xff);
      }
      return v;
    }
    try {
      return octal(off, width);
    } catch (NumberFormatException e) {
      throw new LayerFormatException(
          TarErrors.badHeader(describe(name), "invalid number field at offset " + off));
    }
  }

  private long octal(int off, int width) {
    int i = off;
    int end = off + width;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    long v = 0;
    boolean any = false;
    while (i < end && header[i] >= '0' && header[i] <= '7') {
      v = (v << 3) | (header[i] - '0');
      any = true;
      i++;
    }
    while (i < end) {
      if (header[i] != ' ' && header[i] != 0) {
        throw new NumberFormatException();
      }
      i++;
    }
    if (!any && off != 148) {
      return 0;
    }
    return v;
  }

  private static long paxLong(byte[] v, String key, String name) throws LayerFormatException {
    String text = new String(v, StandardCharsets.US_ASCII).trim();
    if (text.length() > MAX_PAX_NUMBER) {
      throw new LayerFormatException(TarErrors.badHeader(name, "invalid PAX " + key));
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new LayerFormatException(TarErrors.badHeader(name, "invalid PAX " + key));
    }
  }

  /**
   * A PAX time: {@code [-]SECONDS[.FRACTION]} in decimal digits (no exponent, as Go's archive/tar),
   * at most {@link #MAX_PAX_NUMBER} characters; fraction digits past nanoseconds are dropped.
   */
  static Instant paxTime(byte[] v, String name) throws LayerFormatException {
    String text = new String(v, StandardCharsets.US_ASCII).trim();
    int dot = text.indexOf('.');
    String whole = dot < 0 ? text : text.substring(0, dot);
    String frac = dot < 0 ? "" : text.substring(dot + 1);
    boolean negative = whole.startsWith("-");
    String digits = negative ? whole.substring(1) : whole;
    if (text.length() > MAX_PAX_NUMBER
        || digits.isEmpty()
        || !allDigits(digits)
        || !allDigits(frac)
        || (dot >= 0 && frac.isEmpty())) {
      throw new LayerFormatException(TarErrors.badHeader(name, "invalid PAX mtime"));
    }
    try {
      long secs = Long.parseLong(digits);
      String nine = (frac + "000000000").substring(0, 9);
      long nanos = Long.parseLong(nine);
      if (negative) {
        // -1.25 is 1.25 seconds before the epoch: -2 s + 0.75 s
        secs = -secs;
        if (nanos != 0) {
          secs -= 1;
          nanos = 1_000_000_000L - nanos;
        }
      }
      return Instant.ofEpochSecond(secs, nanos);
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw new LayerFormatException(TarErrors.badHeader(name, "invalid PAX mtime"));
    }
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String describe(String name) {
    return name.isEmpty() ? "(unnamed)" : name;
  }

  @Override
  public void close() throws IOException {
    resource.close();
  }
}

package dev.jbuild.builder.attest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Maven packages of a jar (war, ear): the {@code META-INF/maven/GROUP/ARTIFACT/pom.properties}
 * it holds, and those of the jars inside it (Spring Boot's {@code BOOT-INF/lib/}), read as a stream
 * (no temp file): at most {@link #MAX_DEPTH} jars deep, {@link #MAX_ENTRIES} entries per jar,
 * {@link #MAX_INFLATED} inflated bytes per jar read from the image, {@link #MAX_PROPERTIES} bytes
 * per {@code pom.properties}.
 */
final class JarPoms {
  private JarPoms() {}

  static final int MAX_DEPTH = 3;
  static final int MAX_ENTRIES = 100_000;
  static final long MAX_INFLATED = 1L << 30;
  static final int MAX_PROPERTIES = 64 * 1024;

  static boolean isArchive(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".jar") || n.endsWith(".war") || n.endsWith(".ear");
  }

  /** The packages of the jar {@code in} at {@code path} in the image. */
  static List<Pkg> read(InputStream in, String path, ImageFiles.Budget budget) throws IOException {
    List<Pkg> out = new ArrayList<>();
    long[] inflated = {0};
    try {
      scan(in, "/" + path, 1, budget, inflated, out);
    } catch (java.util.zip.ZipException | IllegalArgumentException e) {
      throw new ImageFiles.SkipFile("not a readable jar (" + e.getMessage() + ")");
    }
    return out;
  }

  private static void scan(
      InputStream in,
      String where,
      int depth,
      ImageFiles.Budget budget,
      long[] inflated,
      List<Pkg> out)
      throws IOException {
    ZipInputStream zip = new Counting(new Unclosable(in), budget, inflated);
    int entries = 0;
    for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
      if (++entries > MAX_ENTRIES) {
        throw new ImageFiles.SkipFile(where + " has more than " + MAX_ENTRIES + " entries");
      }
      String name = e.getName();
      if (e.isDirectory()) {
        continue;
      }
      if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
        byte[] b = zip.readNBytes(MAX_PROPERTIES + 1);
        if (b.length <= MAX_PROPERTIES) {
          Pkg p = LanguagePackages.maven(b, where);
          if (p != null && !out.contains(p)) {
            out.add(p);
          }
        }
      } else if (isArchive(name) && depth < MAX_DEPTH) {
        scan(zip, where + "!/" + name, depth + 1, budget, inflated, out);
      }
    }
  }

  /** Charges every inflated byte (also those {@code closeEntry} skips) to the limits. */
  private static final class Counting extends ZipInputStream {
    private final ImageFiles.Budget budget;
    private final long[] inflated;

    Counting(InputStream in, ImageFiles.Budget budget, long[] inflated) {
      super(in);
      this.budget = budget;
      this.inflated = inflated;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        inflated[0] += n;
        if (inflated[0] > MAX_INFLATED) {
          throw new ImageFiles.SkipFile("inflates to more than " + MAX_INFLATED + " bytes");
        }
        if (!budget.take(n)) {
          throw new ImageFiles.SkipFile("over the SBOM's read budget");
        }
      }
      return n;
    }
  }

  /** An inner jar's stream must not close the outer one. */
  private static final class Unclosable extends FilterInputStream {
    Unclosable(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}

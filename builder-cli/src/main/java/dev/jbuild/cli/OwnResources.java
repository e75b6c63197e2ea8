package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a resource of jbuild's own jar (or classes directory) without going through its URL: {@code
 * getResourceAsStream} opens a {@code jar:} URL connection, whose set-up (URL handlers, the jar
 * file factory, platform loggers) cost the help and version commands a fifth of their run time. The
 * jar is the one the class loader has open, so the JDK shares its central directory.
 */
final class OwnResources {
  /** Resources are small text: anything bigger is not one of ours. */
  private static final int MAX_SIZE = 1 << 20;

  private OwnResources() {}

  /** The bytes of resource {@code name} (a path from the root, no leading slash), or null. */
  static byte[] read(String name) throws IOException {
    Path where = codeSource();
    if (where == null) {
      try (InputStream in = OwnResources.class.getClassLoader().getResourceAsStream(name)) {
        return in == null ? null : in.readNBytes(MAX_SIZE);
      }
    }
    if (Files.isDirectory(where)) {
      Path file = where.resolve(name);
      return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    }
    try (ZipFile jar = new ZipFile(where.toFile())) {
      ZipEntry entry = jar.getEntry(name);
      if (entry == null) {
        return null;
      }
      try (InputStream in = jar.getInputStream(entry)) {
        return in.readNBytes(MAX_SIZE);
      }
    }
  }

  private static Path codeSource() {
    try {
      CodeSource source = OwnResources.class.getProtectionDomain().getCodeSource();
      return source == null || source.getLocation() == null
          ? null
          : Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null;
    }
  }
}

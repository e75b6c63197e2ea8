package dev.jbuild.layercache.tar;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Hand-made tars (any order, any name) built with Commons Compress, for attack fixtures. */
final class TarFixtures {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

  TarFixtures() {
    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  TarFixtures file(String name, String content) throws IOException {
    byte[] data = content.getBytes(UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(data.length);
    e.setMode(0100644);
    out.putArchiveEntry(e);
    out.write(data);
    out.closeArchiveEntry();
    return this;
  }

  TarFixtures dir(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
    e.setMode(040755);
    out.putArchiveEntry(e);
    out.closeArchiveEntry();
    return this;
  }

  TarFixtures symlink(String name, String target) throws IOException {
    return link(name, target, TarConstants.LF_SYMLINK);
  }

  TarFixtures hardlink(String name, String target) throws IOException {
    return link(name, target, TarConstants.LF_LINK);
  }

  private TarFixtures link(String name, String target, byte flag) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
    e.setLinkName(target);
    out.putArchiveEntry(e);
    out.closeArchiveEntry();
    return this;
  }

  byte[] bytes() throws IOException {
    out.finish();
    out.close();
    return bytes.toByteArray();
  }
}

package dev.jbuild.serve;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is on the other end of a UNIX socket connection: the kernel's SO_PEERCRED, read through the
 * JDK's {@link ExtendedSocketOptions#SO_PEERCRED} (getsockopt on the channel's descriptor, which
 * FFM cannot reach: the JDK does not hand out a channel's file descriptor). The JDK names the uid
 * (getpwuid); an id without a name comes as its number.
 */
final class PeerCredentials {
  private PeerCredentials() {}

  static ApiCall.Client of(SocketChannel channel) {
    try {
      UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      String name = p.user().getName();
      int uid = uid(name);
      return new ApiCall.Client(uid >= 0 ? "uid=" + uid : "user=" + name, uid);
    } catch (IOException | UnsupportedOperationException e) {
      return new ApiCall.Client("uid=?", -1);
    }
  }

  /** The uid of a user name (or of a number), from /etc/passwd; -1 when unknown. */
  static int uid(String name) {
    if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
      try {
        return Integer.parseInt(name);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
        String[] f = line.split(":", -1);
        if (f.length > 2 && f[0].equals(name)) {
          return Integer.parseInt(f[2]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}

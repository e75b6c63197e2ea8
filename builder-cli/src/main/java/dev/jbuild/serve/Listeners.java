package dev.jbuild.serve;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/** Where the daemon listens: a UNIX socket, TCP with mutual TLS, or plain TCP on loopback. */
public final class Listeners {
  private Listeners() {}

  /** A listening endpoint. */
  public interface Listener extends Closeable {
    Wire accept() throws IOException;

    /** As {@code -H} spells it: {@code unix:///run/jbuild/jbuild.sock}, {@code tcp://...}. */
    String address();
  }

  /**
   * A UNIX socket at {@code path}, mode 0660 and group {@code group} (null: the process's). A
   * socket left by a daemon that died is replaced; one a live daemon answers on is an error.
   */
  public static Listener unix(Path path, GroupPrincipal group) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(path)) {
        throw new IOException(path + " exists and is not a socket");
      }
      if (answers(path)) {
        throw new IOException("another daemon is listening on " + path);
      }
      Files.delete(path);
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path), 128);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      if (group != null) {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setGroup(group);
      }
    } catch (IOException e) {
      server.close();
      throw e;
    }
    String address = "unix://" + path;
    return new Listener() {
      @Override
      public Wire accept() throws IOException {
        SocketChannel c = server.accept();
        return Wire.unix(c);
      }

      @Override
      public String address() {
        return address;
      }

      @Override
      public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
      }
    };
  }

  private static boolean isSocket(Path path) throws IOException {
    Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return mode instanceof Integer m && (m & 0170000) == 0140000;
  }

  private static boolean answers(Path path) {
    try {
      SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** TCP with mutual TLS: clients must present a certificate the CA signed. */
  public static Listener tls(String host, int port, SSLContext context) throws IOException {
    SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    server.setNeedClientAuth(true);
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
    return socketListener(server, "tcp://" + host + ":" + server.getLocalPort());
  }

  /** Plain TCP: only on a loopback address (anyone on the network could drive the daemon). */
  public static Listener loopbackTcp(String host, int port) throws IOException {
    InetAddress addr = InetAddress.getByName(host);
    if (!addr.isLoopbackAddress()) {
      throw new IOException(
          "refusing plain TCP on "
              + host
              + ": not a loopback address; use --tlsverify with --tlscacert, --tlscert and"
              + " --tlskey");
    }
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(addr, port), 128);
    return socketListener(server, "tcp://" + host + ":" + server.getLocalPort());
  }

  private static Listener socketListener(ServerSocket server, String address) {
    return new Listener() {
      @Override
      public Wire accept() throws IOException {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        return Wire.socket(s);
      }

      @Override
      public String address() {
        return address;
      }

      @Override
      public void close() throws IOException {
        server.close();
      }
    };
  }
}

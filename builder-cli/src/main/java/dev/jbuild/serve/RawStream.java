package dev.jbuild.serve;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A hijacked connection (attach, exec start): the client's bytes in, the container's out. {@link
 * #closeWrite} half-closes (the client sees the end of the output and may still send); {@link
 * #close} ends the connection.
 */
public interface RawStream extends Closeable {
  InputStream in();

  OutputStream out();

  void closeWrite() throws IOException;
}

package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import dev.jbuild.runner.sys.Terminals;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The terminal of a container the daemon runs with {@code Tty} ({@code docker run -t}). Its monitor
 * ({@link ContainerMonitor}) holds a {@link Pty} whose slave is {@code runc run}'s terminal (runc
 * makes the container's pty and copies between the two), writes what the master gives to the
 * json-file log as it comes (stream stdout, one entry per read: a prompt shows before its line
 * ends), and takes input and window sizes from the daemon through a FIFO {@value #INPUT} in the
 * container's directory, which it holds open for reading and writing while it runs (so a writer
 * never waits, and the FIFO never ends). Messages on it are one byte of type ({@code D}: bytes for
 * the terminal, {@code R}: rows and columns), two bytes of length and the payload, each written in
 * one write of at most PIPE_BUF bytes, so writers never interleave.
 *
 * <p>{@value #FILE} records the create call's {@code Tty}, {@code OpenStdin}, {@code StdinOnce} and
 * {@code ConsoleSize} (the pty's first size).
 */
public final class TtyConsole implements Closeable {
  static final String FILE = "stdio.json";
  static final String INPUT = "stdin.fifo";
  private static final int PIPE_BUF = 4096;
  private static final int MAX_DATA = PIPE_BUF - 3;

  /** What a container's standard streams are, as created. */
  public record Settings(boolean tty, boolean openStdin, boolean stdinOnce, int rows, int cols) {
    public static final Settings NONE = new Settings(false, false, false, 0, 0);

    JsonObject toJson() {
      return JsonObject.builder()
          .put("Tty", tty)
          .put("OpenStdin", openStdin)
          .put("StdinOnce", stdinOnce)
          .put("Rows", rows)
          .put("Cols", cols)
          .build();
    }

    static Settings read(Path cdir) throws IOException {
      try {
        JsonObject o = Json.parseObject(Files.readAllBytes(cdir.resolve(FILE)));
        return new Settings(
            Boolean.TRUE.equals(o.bool("Tty")),
            Boolean.TRUE.equals(o.bool("OpenStdin")),
            Boolean.TRUE.equals(o.bool("StdinOnce")),
            intOf(o.longValue("Rows")),
            intOf(o.longValue("Cols")));
      } catch (NoSuchFileException | IllegalArgumentException e) {
        return NONE;
      }
    }
  }

  private static int intOf(Long v) {
    return v == null ? 0 : (int) Math.max(0, Math.min(0xffff, v));
  }

  private final Path cdir;
  private final int fifo;
  private volatile Pty current;
  private volatile int rows;
  private volatile int cols;
  private Thread copier;
  private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
  private static final int MAX_PENDING = 64 * 1024;

  private TtyConsole(Path cdir, int fifo, Settings s) {
    this.cdir = cdir;
    this.fifo = fifo;
    this.rows = s.rows();
    this.cols = s.cols();
  }

  /** For the monitor: the console of a container created with a terminal, or null. */
  static TtyConsole serveIfTty(Path cdir) throws IOException {
    Settings s = Settings.read(cdir);
    if (!s.tty()) {
      return null;
    }
    Path f = cdir.resolve(INPUT);
    Files.deleteIfExists(f);
    Terminals.mkfifo(f, 0600);
    TtyConsole c = new TtyConsole(cdir, Terminals.openReadWrite(f), s);
    Thread.ofPlatform().daemon().name("tty-input").start(c::serveInput);
    return c;
  }

  /** Starts {@code cmd} (runc run) on a new pty, its output copied to {@code log}. */
  Process start(List<String> cmd, JsonFileLog log) throws IOException {
    Pty pty = Pty.open(rows, cols);
    synchronized (this) {
      current = pty;
      pty.resize(rows, cols); // a size that came while it opened
      if (pending.size() > 0) {
        // input sent before the runtime started (docker run -i attaches first): the slave holds
        // it until the container's process reads it
        byte[] early = pending.toByteArray();
        pending.reset();
        pty.write(early, 0, early.length);
      }
    }
    Process p;
    try {
      p = pty.start(cmd);
    } catch (IOException e) {
      current = null;
      pty.close();
      throw e;
    }
    copier =
        Thread.ofPlatform()
            .daemon()
            .name("tty-output")
            .start(
                () -> {
                  byte[] buf = new byte[8192];
                  try {
                    int n;
                    while ((n = pty.read(buf)) > 0) {
                      log.write("stdout", buf, 0, n, Instant.now());
                    }
                  } catch (IOException e) {
                    // the log cannot be written: the output is lost, the container goes on
                  }
                });
    return p;
  }

  /** The runtime exited: the rest of the output is logged, the pty closed. */
  void finished() throws InterruptedException {
    Pty pty = current;
    if (pty == null) {
      return;
    }
    pty.slaveDone();
    copier.join(5000);
    current = null;
    pty.close();
  }

  private void serveInput() {
    try (DataInputStream in = new DataInputStream(new FdInput(fifo))) {
      byte[] buf = new byte[PIPE_BUF];
      while (true) {
        int type = in.readUnsignedByte();
        int len = in.readUnsignedShort();
        in.readFully(buf, 0, len);
        if (type == 'R' && len == 4) {
          rows = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
          cols = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
          Pty pty = current;
          if (pty != null) {
            pty.resize(rows, cols);
          }
        } else if (type == 'D') {
          synchronized (this) {
            try {
              if (current instanceof Pty pty) {
                pty.write(buf, 0, len);
              } else if (pending.size() + len <= MAX_PENDING) {
                pending.write(buf, 0, len);
              }
            } catch (IOException e) {
              // the container is gone or restarting: its input is dropped, as docker's
            }
          }
        }
      }
    } catch (IOException e) {
      // closed: the monitor ends
    }
  }

  @Override
  public void close() throws IOException {
    try {
      Files.deleteIfExists(cdir.resolve(INPUT));
    } finally {
      Syscalls.closeQuietly(fifo);
    }
  }

  /** For the daemon: writes input and sizes to a running container's console. */
  public static final class Writer implements Closeable {
    private final int fd;

    private Writer(int fd) {
      this.fd = fd;
    }

    /**
     * Opens the console of the container in {@code cdir}; null while its monitor does not serve one
     * (not started yet, or stopped).
     */
    static Writer open(Path cdir) throws IOException {
      try {
        return new Writer(Terminals.openFifoWriter(cdir.resolve(INPUT)));
      } catch (SyscallException e) {
        if (e.errno() == Terminals.ENXIO || e.errno() == 2) {
          return null;
        }
        throw e;
      }
    }

    /** Bytes for the terminal, as the client typed them. */
    public void data(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, MAX_DATA);
        byte[] msg = new byte[3 + n];
        msg[0] = 'D';
        msg[1] = (byte) (n >>> 8);
        msg[2] = (byte) n;
        System.arraycopy(b, off, msg, 3, n);
        Terminals.write(fd, msg, 0, msg.length);
        off += n;
        len -= n;
      }
    }

    /** A new window size. */
    public void resize(int rows, int cols) throws IOException {
      byte[] msg = {'R', 0, 4, (byte) (rows >>> 8), (byte) rows, (byte) (cols >>> 8), (byte) cols};
      Terminals.write(fd, msg, 0, msg.length);
    }

    @Override
    public void close() {
      Syscalls.closeQuietly(fd);
    }
  }

  /** A raw file descriptor read as a stream. */
  private static final class FdInput extends InputStream {
    private final int fd;

    FdInput(int fd) {
      this.fd = fd;
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      byte[] buf = new byte[len];
      int n = Terminals.read(fd, buf);
      if (n <= 0) {
        return -1;
      }
      System.arraycopy(buf, 0, b, off, n);
      return n;
    }
  }
}

package dev.jbuild.serve;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The wire format of {@code POST /jbuild/v1/cli}, jbuild's endpoint for client mode ({@code jbuild
 * --host}). The request is upgraded ({@code Upgrade: tcp}, answered {@code 101 UPGRADED}) and both
 * sides then send frames in docker's stream framing ({@link StdStreams}: a type byte, three zero
 * bytes, a big-endian 32-bit length, the payload), with types of jbuild's own beyond docker's 0-2:
 *
 * <ul>
 *   <li>client to daemon: one {@link #REQUEST} (JSON: {@code argv}, {@code env}: the client's
 *       variables the command names, {@code settings}: a few of its settings variables, {@code
 *       tty}: whether its stderr is a terminal; {@code manifest}: true when a context manifest
 *       follows); with a manifest, {@link #MANIFEST} frames ({@code cli.ContextManifest}: the
 *       context's files and their stat records), ended by an empty one, after which the client
 *       waits for the daemon's {@link #HAVE} answer; then {@link #UPLOAD} frames, a tar of the
 *       items the client carries ({@code I/...} for item I of {@code ClientArgs}; without the
 *       content of the files the daemon said it has), ended by an empty one; then {@link
 *       StdStreams#STDIN} frames, ended by an empty one.
 *   <li>daemon to client: to a manifest, {@link #HAVE} frames ended by an empty one (before or
 *       among the output frames); {@link StdStreams#STDOUT} and {@link StdStreams#STDERR} frames
 *       while the command runs; then, for each item the command wrote ({@code OUT_*} kinds, in
 *       order), a tar in {@link #DOWNLOAD} frames ended by an empty one; then one {@link #EXIT}
 *       frame (the exit code, 4 bytes big-endian).
 * </ul>
 *
 * <p>The daemon's 101 answer names its content type {@link #CONTENT_TYPE}; with {@code manifest=1}
 * in it, it reads manifests (a client sends one only then).
 */
public final class CliProtocol {
  private CliProtocol() {}

  /** The endpoint (no API version prefix). */
  public static final String PATH = "/jbuild/v1/cli";

  public static final int REQUEST = 16;
  public static final int UPLOAD = 17;
  public static final int DOWNLOAD = 18;
  public static final int EXIT = 19;
  public static final int MANIFEST = 20;
  public static final int HAVE = 21;

  /** The content type of the daemon's upgrade answer. */
  public static final String CONTENT_TYPE = "application/vnd.jbuild.cli; manifest=1";

  /** What in the content type says the daemon reads manifests (compared in lower case). */
  public static final String MANIFEST_PARAMETER = "manifest=1";

  /** The largest frame either side accepts (the request JSON included). */
  public static final int MAX_FRAME = 1 << 20;

  /** Writes one frame (an empty payload is an end marker). */
  public static void write(OutputStream out, int type, byte[] b, int off, int len)
      throws IOException {
    byte[] header = {
      (byte) type, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len
    };
    synchronized (out) {
      out.write(header);
      out.write(b, off, len);
      out.flush();
    }
  }

  public static void writeExit(OutputStream out, int code) throws IOException {
    write(
        out,
        EXIT,
        new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code},
        0,
        4);
  }

  /** One frame read. */
  public record Frame(int type, byte[] payload) {
    public int exitCode() {
      return ((payload[0] & 0xff) << 24)
          | ((payload[1] & 0xff) << 16)
          | ((payload[2] & 0xff) << 8)
          | (payload[3] & 0xff);
    }
  }

  /** The next frame, or null at a clean end of the stream; a bad header is an IOException. */
  public static Frame read(InputStream in) throws IOException {
    byte[] header = in.readNBytes(8);
    if (header.length == 0) {
      return null;
    }
    if (header.length < 8) {
      throw new EOFException("jbuild client protocol: truncated frame header");
    }
    if (header[1] != 0 || header[2] != 0 || header[3] != 0) {
      throw new IOException("jbuild client protocol: malformed frame header");
    }
    long len =
        ((header[4] & 0xffL) << 24)
            | ((header[5] & 0xff) << 16)
            | ((header[6] & 0xff) << 8)
            | (header[7] & 0xff);
    if (len > MAX_FRAME) {
      throw new IOException("jbuild client protocol: frame of " + len + " bytes (at most 1 MiB)");
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException("jbuild client protocol: truncated frame");
    }
    int type = header[0] & 0xff;
    if (type == EXIT && len != 4) {
      throw new IOException("jbuild client protocol: exit frame of " + len + " bytes");
    }
    return new Frame(type, payload);
  }

  /**
   * The payloads of consecutive frames of {@code type} as one stream, up to the empty frame of that
   * type; a frame of another type before it is an error. At most {@code limit} bytes.
   */
  public static InputStream stream(InputStream in, int type, long limit) {
    return new InputStream() {
      private byte[] buf = new byte[0];
      private int pos;
      private boolean done;
      private long total;

      private boolean fill() throws IOException {
        while (!done && pos == buf.length) {
          Frame f = CliProtocol.read(in);
          if (f == null) {
            throw new EOFException("jbuild client protocol: the stream ended early");
          }
          if (f.type() != type) {
            throw new IOException(
                "jbuild client protocol: frame type " + f.type() + " where " + type + " was due");
          }
          if (f.payload().length == 0) {
            done = true;
          } else {
            total += f.payload().length;
            if (total > limit) {
              throw new IOException("jbuild client protocol: more than " + limit + " bytes sent");
            }
            buf = f.payload();
            pos = 0;
          }
        }
        return !done || pos < buf.length;
      }

      @Override
      public int read() throws IOException {
        return fill() ? buf[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, buf.length - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
      }

      /** Reads to the end marker, so the frames after it can be read. */
      @Override
      public void close() throws IOException {
        while (fill()) {
          pos = buf.length;
        }
      }
    };
  }

  /** A stream that writes frames of {@code type}; {@link OutputStream#close} sends the end mark. */
  public static OutputStream frames(OutputStream out, int type) {
    return new OutputStream() {
      private final byte[] buf = new byte[1 << 16];
      private int pos;

      @Override
      public void write(int b) throws IOException {
        if (pos == buf.length) {
          flush();
        }
        buf[pos++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          if (pos == buf.length) {
            flush();
          }
          int n = Math.min(len, buf.length - pos);
          System.arraycopy(b, off, buf, pos, n);
          pos += n;
          off += n;
          len -= n;
        }
      }

      @Override
      public void flush() throws IOException {
        if (pos > 0) {
          CliProtocol.write(out, type, buf, 0, pos);
          pos = 0;
        }
      }

      @Override
      public void close() throws IOException {
        flush();
        CliProtocol.write(out, type, buf, 0, 0);
      }
    };
  }
}

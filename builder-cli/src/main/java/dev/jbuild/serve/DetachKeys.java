package dev.jbuild.serve;

import java.io.ByteArrayOutputStream;

/**
 * Docker's detach keys for an attach with a terminal: a sequence typed on the client's input that
 * ends the attach and leaves the container running (default Ctrl-P Ctrl-Q; {@code
 * ?detachKeys=ctrl-a,x}: comma-separated single characters or {@code ctrl-X} with X one of a-z, @,
 * [, \, ], ^, _). The keys of the sequence are not passed on; a partial match is held until the
 * next byte shows it is none, then passed on.
 */
final class DetachKeys {
  static final byte[] DEFAULT = {16, 17};

  private final byte[] keys;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private boolean detached;

  DetachKeys(byte[] keys) {
    this.keys = keys.clone();
  }

  /** The keys {@code spec} names (null or empty: Ctrl-P Ctrl-Q). */
  static byte[] parse(String spec) throws ApiException {
    if (spec == null || spec.isEmpty()) {
      return DEFAULT.clone();
    }
    String[] parts = spec.split(",", -1);
    byte[] out = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      if (p.length() == 1 && p.charAt(0) < 0x80) {
        out[i] = (byte) p.charAt(0);
      } else if (p.length() == 6 && p.toLowerCase(java.util.Locale.ROOT).startsWith("ctrl-")) {
        char c = Character.toLowerCase(p.charAt(5));
        if (c >= 'a' && c <= 'z') {
          out[i] = (byte) (c - 'a' + 1);
        } else if ("@[\\]^_".indexOf(c) >= 0) {
          out[i] = (byte) ("@[\\]^_".indexOf(c) == 0 ? 0 : 26 + "@[\\]^_".indexOf(c));
        } else {
          throw invalid(spec);
        }
      } else {
        throw invalid(spec);
      }
    }
    return out;
  }

  private static ApiException invalid(String spec) {
    return ApiException.badRequest("Invalid detach keys (" + spec + ") provided");
  }

  /** Whether the whole sequence was typed (nothing after it is passed on). */
  boolean detached() {
    return detached;
  }

  /** The bytes of {@code b[0..n)} to pass on to the terminal. */
  byte[] filter(byte[] b, int n) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    for (int i = 0; i < n && !detached; i++) {
      if (b[i] == keys[held.size()]) {
        held.write(b[i]);
        if (held.size() == keys.length) {
          detached = true;
          held.reset();
        }
      } else {
        out.writeBytes(held.toByteArray());
        held.reset();
        if (b[i] == keys[0]) {
          held.write(b[i]);
        } else {
          out.write(b[i]);
        }
      }
    }
    return out.toByteArray();
  }
}

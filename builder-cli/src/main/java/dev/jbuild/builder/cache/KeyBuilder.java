package dev.jbuild.builder.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.jbuild.layercache.model.Digest;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a cache key: sha256 over length-prefixed (name, value) pairs, so no two different inputs
 * hash the same bytes. Alongside the digest it keeps the named components, which the builder stores
 * to explain a later miss ("file src/a.c changed", "build arg VERSION changed").
 */
public final class KeyBuilder {
  /** Component values longer than this are remembered by their hash only. */
  private static final int INLINE_LIMIT = 200;

  /**
   * Salts every key: bump it when a step's result changes for the same inputs (a fixed semantic),
   * so no build reuses what an older jbuild made differently. 2: a COPY'd directory's own metadata
   * no longer reaches its destination; ARG after ENV wins in RUN's environment. 3: a symlink named
   * as a COPY source keeps the link's name.
   */
  static final String SEMANTICS = "3";

  private final MessageDigest md = Digest.newSha256();
  private final MessageDigest reads = Digest.newSha256();
  private final Map<String, String> components = new LinkedHashMap<>();

  public KeyBuilder(String kind) {
    feed("semantics");
    feed(SEMANTICS);
    put("kind", kind);
  }

  /** Adds one named input. Names are unique per key; a repeated name overwrites its explanation. */
  public KeyBuilder put(String name, String value) {
    String v = value == null ? "\0null" : value;
    feed(name);
    feed(v);
    components.put(
        name, v.length() > INLINE_LIMIT ? "sha256:" + Digest.sha256(v.getBytes(UTF_8)).hex() : v);
    return this;
  }

  public KeyBuilder put(String name, Collection<String> values) {
    StringBuilder joined = new StringBuilder();
    feed(name);
    feed(Integer.toString(values.size()));
    for (String v : values) {
      feed(v);
      joined.append(v).append('\n');
    }
    String j = joined.toString();
    components.put(
        name, j.length() > INLINE_LIMIT ? "sha256:" + Digest.sha256(j.getBytes(UTF_8)).hex() : j);
    return this;
  }

  /**
   * What {@link #feed} wrote and {@link #md} has not read yet: the digest is libcrypto's through a
   * native call, so thousands of small updates (a COPY of a big context puts a pair per file) are
   * gathered into a few large ones. The bytes hashed are the same.
   */
  private final byte[] pending = new byte[32 * 1024];

  private int pendingLength;

  private void feed(String s) {
    byte[] b = s.getBytes(UTF_8);
    int n = b.length;
    if (pendingLength + 4 + n > pending.length) {
      flush();
    }
    if (4 + n > pending.length) {
      md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      md.update(b);
      return;
    }
    pending[pendingLength++] = (byte) (n >>> 24);
    pending[pendingLength++] = (byte) (n >>> 16);
    pending[pendingLength++] = (byte) (n >>> 8);
    pending[pendingLength++] = (byte) n;
    System.arraycopy(b, 0, pending, pendingLength, n);
    pendingLength += n;
  }

  private void flush() {
    if (pendingLength > 0) {
      md.update(pending, 0, pendingLength);
      pendingLength = 0;
    }
  }

  /**
   * Notes the layers a step reads (its parent's chain, a {@code COPY --from} or {@code --mount
   * from=} stage or image) by their diff IDs. They are not part of the key, which names them by the
   * key of what made them: they are the check on a hit ({@link #readsDigest}), because a key can be
   * re-made with other content ({@code --no-cache-filter} re-runs a stage's RUN steps under their
   * keys) and a record made from the old content must then miss.
   */
  public KeyBuilder readsLayers(String name, java.util.List<Digest> diffIds) {
    feedReads(name);
    feedReads(Integer.toString(diffIds.size()));
    for (Digest d : diffIds) {
      feedReads(d.toString());
    }
    return this;
  }

  private void feedReads(String s) {
    byte[] b = s.getBytes(UTF_8);
    int n = b.length;
    reads.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    reads.update(b);
  }

  /** The digest of every {@link #readsLayers} call. The builder is spent afterwards. */
  public Digest readsDigest() {
    return Digest.of(Digest.SHA256, reads.digest());
  }

  /** The key. The builder is spent afterwards. */
  public Digest digest() {
    flush();
    return Digest.of(Digest.SHA256, md.digest());
  }

  /** The named inputs, for explaining misses. */
  public Map<String, String> components() {
    return components;
  }
}

package dev.jbuild.layercache.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** libcrypto's SHA-256 agrees with the JDK's, including after clone and across a saved state. */
class NativeSha256Test {
  @Test
  void matchesTheJdkForManySizesClonesAndResumes() throws Exception {
    assertTrue(NativeSha256.available(), "libcrypto (libssl3) is installed by .ci/setup");
    Random r = new Random(9);
    for (int size : new int[] {0, 1, 55, 56, 63, 64, 65, 1000, 65_537, 1 << 20}) {
      byte[] data = new byte[size];
      r.nextBytes(data);
      byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
      MessageDigest md = NativeSha256.create().orElseThrow();
      int cut = size / 3;
      md.update(data, 0, cut);
      MessageDigest copy = (MessageDigest) md.clone();
      byte[] state = ((NativeSha256) md).state();
      md.update(data, cut, size - cut);
      assertArrayEquals(want, md.digest(), "size " + size);
      copy.update(data, cut, size - cut);
      assertArrayEquals(want, copy.digest(), "clone, size " + size);
      MessageDigest resumed = NativeSha256.resume(state).orElseThrow();
      for (int i = cut; i < size; i++) {
        resumed.update(data[i]);
      }
      assertArrayEquals(want, resumed.digest(), "resumed, size " + size);
      assertArrayEquals(want, md.digest(data), "reset after digest, size " + size);
    }
  }
}

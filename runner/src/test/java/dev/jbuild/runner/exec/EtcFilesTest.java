package dev.jbuild.runner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EtcFilesTest {
  @Test
  void loopbackResolversBecomeTheNetworkStacksForwarder() {
    assertEquals(
        "search corp\nnameserver 10.0.2.3\nnameserver 192.0.2.53\noptions edns0\n",
        EtcFiles.withForwarder(
            "search corp\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 192.0.2.53\n"
                + "options edns0\n",
            "10.0.2.3"));
    // a resolver the private network reaches through the stack stays
    assertEquals(
        "nameserver 10.255.255.53\n", EtcFiles.withForwarder("nameserver 10.255.255.53\n", "x"));
  }
}

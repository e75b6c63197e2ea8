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

  @Test
  void dnsServersReplaceTheNameserversAndAddHostsAppends() {
    assertEquals(
        "search corp\noptions edns0\nnameserver 192.0.2.1\nnameserver 2001:db8::1\n",
        EtcFiles.withServers(
            "search corp\nnameserver 10.0.2.3\noptions edns0\n",
            java.util.List.of("192.0.2.1", "2001:db8::1")));
    assertEquals(
        "192.0.2.10\tdb\n2001:db8::2\tv6\n",
        EtcFiles.extraHosts(java.util.List.of("db:192.0.2.10", "v6:2001:db8::2")));
  }
}

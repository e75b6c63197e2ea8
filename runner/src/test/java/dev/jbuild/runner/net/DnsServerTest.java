package dev.jbuild.runner.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded DNS server's answers and forwarding, on 127.0.0.1 with a fake upstream server that
 * answers every query with 10.9.8.7 and counts what it was asked.
 */
class DnsServerTest {
  DatagramSocket upstream;
  Thread upstreamThread;
  final AtomicInteger asked = new AtomicInteger();
  DnsServer server;

  @BeforeEach
  void start() throws Exception {
    upstream = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    upstreamThread =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  byte[] buf = new byte[512];
                  while (!upstream.isClosed()) {
                    try {
                      DatagramPacket p = new DatagramPacket(buf, buf.length);
                      upstream.receive(p);
                      asked.incrementAndGet();
                      byte[] q = java.util.Arrays.copyOf(p.getData(), p.getLength());
                      DnsServer.Question question = DnsServer.Question.parse(q);
                      byte[] r =
                          DnsServer.answer(
                              q,
                              question,
                              0,
                              List.of((Inet4Address) InetAddress.ofLiteral("10.9.8.7")));
                      upstream.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                    } catch (Exception e) {
                      return;
                    }
                  }
                });
    DnsServer.Names names =
        name ->
            switch (name) {
              case "db", "db.appnet", "alias" ->
                  Optional.of(List.of((Inet4Address) InetAddress.ofLiteral("172.18.0.2")));
              default -> Optional.empty();
            };
    server =
        DnsServer.start(
            null,
            new InetSocketAddress("127.0.0.1", 0),
            names,
            List.of((InetSocketAddress) upstream.getLocalSocketAddress()));
  }

  @AfterEach
  void stop() {
    server.close();
    upstream.close();
  }

  @Test
  void answersKnownNamesCaseInsensitively() throws Exception {
    Reply r = ask(0x1234, "DB", 1);
    assertEquals(0x1234, r.id);
    assertEquals(0, r.rcode);
    assertEquals(List.of("172.18.0.2"), r.addresses);
    assertEquals(List.of("172.18.0.2"), ask(7, "alias", 1).addresses);
    assertEquals(List.of("172.18.0.2"), ask(8, "db.appnet.", 1).addresses);
    Reply aaaa = ask(9, "db", 28);
    assertEquals(0, aaaa.rcode, "a known name without an IPv6 address: no data, no error");
    assertEquals(List.of(), aaaa.addresses);
    assertEquals(0, asked.get(), "nothing went upstream");
  }

  @Test
  void anUnknownSingleLabelIsNxdomainAndOthersAreForwarded() throws Exception {
    Reply gone = ask(0x4321, "removed", 1);
    assertEquals(3, gone.rcode, "NXDOMAIN");
    assertEquals(0x4321, gone.id);
    assertEquals(0, asked.get());
    Reply ext = ask(0xbeef, "example.test", 1);
    assertEquals(0xbeef, ext.id, "the answer comes back under the asker's own ID");
    assertEquals(0, ext.rcode);
    assertEquals(List.of("10.9.8.7"), ext.addresses);
    assertEquals(1, asked.get());
  }

  @Test
  void garbageIsIgnoredAndTheServerKeepsServing() throws Exception {
    try (DatagramSocket c = new DatagramSocket()) {
      byte[] junk = {1, 2, 3};
      c.send(new DatagramPacket(junk, junk.length, server.address()));
      byte[] pointer = query(5, "x", 1);
      pointer[12] = (byte) 0xc0; // a compression pointer in a question
      c.send(new DatagramPacket(pointer, pointer.length, server.address()));
    }
    assertEquals(List.of("172.18.0.2"), ask(6, "db", 1).addresses);
  }

  record Reply(int id, int rcode, List<String> addresses) {}

  Reply ask(int id, String name, int type) throws Exception {
    try (DatagramSocket c = new DatagramSocket()) {
      c.setSoTimeout(5000);
      byte[] q = query(id, name, type);
      c.send(new DatagramPacket(q, q.length, server.address()));
      byte[] buf = new byte[512];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      c.receive(p);
      ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
      int rid = b.getShort() & 0xffff;
      b.get();
      int rcode = b.get() & 0x0f;
      assertEquals(1, b.getShort());
      int an = b.getShort();
      b.getShort();
      b.getShort();
      byte[] question = new byte[q.length - 12];
      b.get(question);
      assertArrayEquals(java.util.Arrays.copyOfRange(q, 12, q.length), question);
      List<String> out = new java.util.ArrayList<>();
      for (int i = 0; i < an; i++) {
        b.getShort(); // name pointer
        int t = b.getShort();
        b.getShort();
        b.getInt();
        byte[] data = new byte[b.getShort()];
        b.get(data);
        if (t == 1) {
          out.add(InetAddress.getByAddress(data).getHostAddress());
        }
      }
      return new Reply(rid, rcode, out);
    }
  }

  static byte[] query(int id, String name, int type) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(id >> 8);
    o.write(id);
    o.write(0x01); // RD
    o.write(0);
    o.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      if (!label.isEmpty()) {
        o.write(label.length());
        o.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
      }
    }
    o.write(0);
    o.write(type >> 8);
    o.write(type);
    o.write(0);
    o.write(1);
    return o.toByteArray();
  }
}

package dev.jbuild.runner.net;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A small DNS server over UDP, Docker's embedded DNS for user networks: it answers A queries for
 * the names {@link Names} knows (a known name with another type gets an empty answer), answers
 * NXDOMAIN for an unknown name of one label (no public resolver has it), and forwards every other
 * query unchanged, under an ID of its own, to the upstream servers, relaying the answer to the
 * asker.
 *
 * <p>In a network namespace: both sockets (the one it serves on, at 127.0.0.11:53 in a container,
 * and the one it forwards from) are opened by a platform thread that first joined that namespace
 * with setns(2); a socket stays in the namespace it was made in, so the process serving it (a
 * container's monitor) needs no other process and stays in its own namespaces otherwise. Forwarded
 * queries leave from inside the container's namespace, through its own network stack.
 */
public final class DnsServer implements java.io.Closeable {
  /** Docker's address of the embedded DNS server in every container of a user network. */
  public static final String ADDRESS = "127.0.0.11";

  private static final int CLONE_NEWNET = 0x40000000;
  private static final int MAX_PACKET = 4096;
  private static final int MAX_PENDING = 512;
  private static final long PENDING_TTL_MS = 5_000;
  private static final int TTL_S = 600;

  /** What the server knows. */
  public interface Names {
    /** The addresses of {@code name} (lower case, no trailing dot); empty when it is unknown. */
    Optional<List<Inet4Address>> lookup(String name) throws IOException;
  }

  private record Pending(int id, SocketAddress client, long at) {}

  private final Names names;
  private final List<InetSocketAddress> upstream;
  private final Map<Integer, Pending> pending = new LinkedHashMap<>();
  private DatagramChannel server;
  private DatagramChannel forward;
  private int nextId = (int) (System.nanoTime() & 0xffff);
  private int upstreamIndex;
  private volatile boolean closed;

  private DnsServer(Names names, List<InetSocketAddress> upstream) {
    this.names = names;
    this.upstream = List.copyOf(upstream);
  }

  /**
   * Starts serving at {@code bind} inside the network namespace bound at {@code netns} (null: this
   * process's own); returns once the socket is bound.
   */
  public static DnsServer start(
      Path netns, InetSocketAddress bind, Names names, List<InetSocketAddress> upstream)
      throws IOException {
    DnsServer s = new DnsServer(names, upstream);
    CompletableFuture<Void> bound = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("jbuild-dns")
        .start(
            () -> {
              try {
                if (netns != null) {
                  int fd = At.openat(At.AT_FDCWD, netns.toString(), At.O_RDONLY, 0);
                  try {
                    Syscalls.setns(fd, CLONE_NEWNET); // this thread only, for its whole life
                  } finally {
                    At.close(fd);
                  }
                }
                s.server = DatagramChannel.open(StandardProtocolFamily.INET).bind(bind);
                s.forward =
                    DatagramChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress("0.0.0.0", 0));
                bound.complete(null);
              } catch (Throwable t) {
                bound.completeExceptionally(t);
                return;
              }
              Thread.ofPlatform().daemon().name("jbuild-dns-relay").start(s::relay);
              s.serve();
            });
    try {
      bound.get();
    } catch (ExecutionException e) {
      throw new IOException("cannot start the DNS server at " + bind + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while the DNS server starts");
    }
    return s;
  }

  /** Where it serves (the port the kernel chose when asked for 0). */
  public InetSocketAddress address() throws IOException {
    return (InetSocketAddress) server.getLocalAddress();
  }

  private void serve() {
    ByteBuffer buf = ByteBuffer.allocate(MAX_PACKET);
    while (!closed) {
      try {
        buf.clear();
        SocketAddress client = server.receive(buf);
        buf.flip();
        byte[] q = new byte[buf.remaining()];
        buf.get(q);
        handle(q, client);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // one bad packet or send: the next query is served
      }
    }
  }

  private void handle(byte[] q, SocketAddress client) throws IOException {
    Question question = Question.parse(q);
    if (question == null) {
      return; // not a query we can even answer with an error
    }
    if (question.opcode != 0) {
      reply(client, answer(q, question, 4, List.of())); // NOTIMP
      return;
    }
    Optional<List<Inet4Address>> known = names.lookup(question.name);
    if (known.isPresent()) {
      List<Inet4Address> ips = question.type == 1 || question.type == 255 ? known.get() : List.of();
      reply(client, answer(q, question, 0, ips));
      return;
    }
    if (!question.name.contains(".") || upstream.isEmpty()) {
      reply(client, answer(q, question, 3, List.of())); // NXDOMAIN
      return;
    }
    forwardQuery(q, client);
  }

  private void forwardQuery(byte[] q, SocketAddress client) throws IOException {
    int id;
    InetSocketAddress to;
    synchronized (pending) {
      long now = System.currentTimeMillis();
      pending.values().removeIf(p -> now - p.at > PENDING_TTL_MS);
      if (pending.size() >= MAX_PENDING) {
        pending.remove(pending.keySet().iterator().next());
      }
      do {
        nextId = (nextId + 1) & 0xffff;
      } while (pending.containsKey(nextId));
      id = nextId;
      pending.put(id, new Pending(((q[0] & 0xff) << 8) | (q[1] & 0xff), client, now));
      // a client that asks again (its first try timed out) goes to the next server
      to = upstream.get(upstreamIndex++ % upstream.size());
    }
    byte[] out = q.clone();
    out[0] = (byte) (id >> 8);
    out[1] = (byte) id;
    forward.send(ByteBuffer.wrap(out), to);
  }

  /** Relays upstream answers to the clients that asked, under their own IDs. */
  private void relay() {
    ByteBuffer buf = ByteBuffer.allocate(MAX_PACKET);
    while (!closed) {
      try {
        buf.clear();
        SocketAddress from = forward.receive(buf);
        if (!upstream.contains(from) || buf.position() < 12) {
          continue; // only what the servers asked send back
        }
        buf.flip();
        byte[] r = new byte[buf.remaining()];
        buf.get(r);
        int id = ((r[0] & 0xff) << 8) | (r[1] & 0xff);
        Pending p;
        synchronized (pending) {
          p = pending.remove(id);
        }
        if (p == null) {
          continue;
        }
        r[0] = (byte) (p.id >> 8);
        r[1] = (byte) p.id;
        reply(p.client, r);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // the next answer is relayed
      }
    }
  }

  private void reply(SocketAddress client, byte[] r) throws IOException {
    server.send(ByteBuffer.wrap(r), client);
  }

  /** A response to {@code q}: its question, {@code rcode}, A records for {@code ips}. */
  static byte[] answer(byte[] q, Question question, int rcode, List<Inet4Address> ips) {
    ByteBuffer b = ByteBuffer.allocate(question.end + ips.size() * 16);
    b.put(q, 0, 2); // ID
    int rd = q[2] & 0x01;
    b.put((byte) (0x80 | (question.opcode << 3) | 0x04 | rd)); // QR, opcode, AA, RD
    b.put((byte) (0x80 | rcode)); // RA, rcode
    b.putShort((short) 1).putShort((short) ips.size()).putShort((short) 0).putShort((short) 0);
    b.put(q, 12, question.end - 12);
    for (Inet4Address ip : ips) {
      b.putShort((short) 0xc00c).putShort((short) 1).putShort((short) 1).putInt(TTL_S);
      b.putShort((short) 4).put(ip.getAddress());
    }
    return b.array();
  }

  /** The one question of a query: its name (lower case), type, and where it ends. */
  record Question(String name, int type, int opcode, int end) {
    static Question parse(byte[] q) {
      if (q.length < 12 || (q[2] & 0x80) != 0) {
        return null; // short, or a response
      }
      int qd = ((q[4] & 0xff) << 8) | (q[5] & 0xff);
      if (qd != 1) {
        return null;
      }
      int opcode = (q[2] >> 3) & 0x0f;
      StringBuilder name = new StringBuilder();
      int i = 12;
      while (true) {
        if (i >= q.length) {
          return null;
        }
        int len = q[i] & 0xff;
        i++;
        if (len == 0) {
          break;
        }
        if (len > 63 || i + len > q.length || name.length() + len > 254) {
          return null; // a pointer or an oversized label: not in a question we answer
        }
        if (!name.isEmpty()) {
          name.append('.');
        }
        name.append(new String(q, i, len, StandardCharsets.ISO_8859_1));
        i += len;
      }
      if (i + 4 > q.length) {
        return null;
      }
      int type = ((q[i] & 0xff) << 8) | (q[i + 1] & 0xff);
      return new Question(name.toString().toLowerCase(Locale.ROOT), type, opcode, i + 4);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (server != null) {
        server.close();
      }
      if (forward != null) {
        forward.close();
      }
    } catch (IOException e) {
      // closing
    }
  }
}

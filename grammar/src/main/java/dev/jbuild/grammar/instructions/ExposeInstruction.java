package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.SourceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code EXPOSE 80 443/tcp 53/udp 8000-8002}: the words as written (after expansion, as many words
 * as the expansion produced). {@link #exposedPorts()} gives the image config keys.
 */
public record ExposeInstruction(SourceRange range, String text, List<String> ports)
    implements Instruction {
  public ExposeInstruction {
    if (range == null || text == null || ports == null) {
      throw new IllegalArgumentException("EXPOSE fields must not be null");
    }
    ports = List.copyOf(ports);
  }

  /**
   * The ExposedPorts keys ("80/tcp"), ranges expanded, as Docker's nat.ParsePortSpecs does.
   *
   * @throws IllegalArgumentException with Docker's message for an invalid port or protocol
   */
  public List<String> exposedPorts() {
    List<String> out = new ArrayList<>();
    for (String raw : ports) {
      out.addAll(parsePortSpec(raw));
    }
    return List.copyOf(out);
  }

  /** Validates one port spec ([ip:[hostPort:]]port[-end][/proto]) and returns its keys. */
  public static List<String> parsePortSpec(String raw) {
    String rest = raw;
    // [ip:][hostPort:]containerPort[/proto]: the container port is after the last ':' outside [].
    int bracket = rest.lastIndexOf(']');
    int colon = rest.lastIndexOf(':');
    String containerPart = colon > bracket ? rest.substring(colon + 1) : rest;
    String proto;
    String port;
    String[] parts = containerPart.split("/", -1);
    if (containerPart.isEmpty() || parts[0].isEmpty()) {
      throw new IllegalArgumentException(Messages.noPortSpecified(raw));
    } else if (parts.length == 1) {
      proto = "tcp";
      port = containerPart;
    } else {
      proto = parts[1].isEmpty() ? "tcp" : parts[1];
      port = parts[0];
    }
    String lowerProto = proto.toLowerCase(Locale.ROOT);
    int dash = port.indexOf('-');
    int start;
    int end;
    try {
      if (dash < 0) {
        start = end = parsePort(port);
      } else {
        start = parsePort(port.substring(0, dash));
        end = parsePort(port.substring(dash + 1));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Messages.invalidPort(port));
    }
    if (end < start) {
      throw new IllegalArgumentException(Messages.invalidPort(port));
    }
    if (!lowerProto.equals("tcp") && !lowerProto.equals("udp") && !lowerProto.equals("sctp")) {
      throw new IllegalArgumentException(Messages.invalidProto(proto));
    }
    List<String> out = new ArrayList<>(end - start + 1);
    for (int p = start; p <= end; p++) {
      out.add(p + "/" + lowerProto);
    }
    return out;
  }

  private static int parsePort(String s) {
    if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new NumberFormatException(s);
    }
    int v = Integer.parseInt(s);
    if (v > 65535) {
      throw new NumberFormatException(s);
    }
    return v;
  }

  @Override
  public Keyword keyword() {
    return Keyword.EXPOSE;
  }
}

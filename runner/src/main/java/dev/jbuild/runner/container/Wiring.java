package dev.jbuild.runner.container;

import java.util.List;

/**
 * What {@code jbuild run} connects a container to besides its image: volumes, DNS servers, extra
 * {@code /etc/hosts} entries, published ports, another container's network.
 *
 * @param volumes named and anonymous volumes ({@code -v NAME:/path}, {@code --mount type=volume})
 * @param dns {@code --dns}: nameservers of the container's resolv.conf (empty: the host's)
 * @param addHosts {@code --add-host NAME:IP} entries
 * @param ports {@code -p} mappings
 * @param publishAll {@code -P}: every port the image EXPOSEs on a random host port
 * @param joinContainer {@code --network container:ID}: the container whose network is shared
 * @param userNetwork {@code --network NAME}: a user network (null: none)
 * @param aliases {@code --network-alias}: more names of the container on that network
 */
public record Wiring(
    List<VolumeMount> volumes,
    List<String> dns,
    List<String> addHosts,
    List<PortMapping> ports,
    boolean publishAll,
    String joinContainer,
    String userNetwork,
    List<String> aliases) {
  /** What {@code --add-host NAME:host-gateway} maps to: the user-mode stack's gateway. */
  public static final String HOST_GATEWAY = dev.jbuild.runner.net.UserNetwork.GATEWAY;

  public static final Wiring NONE =
      new Wiring(List.of(), List.of(), List.of(), List.of(), false, null, null, List.of());

  public Wiring {
    volumes = List.copyOf(volumes);
    dns = List.copyOf(dns);
    addHosts = List.copyOf(addHosts);
    ports = List.copyOf(ports);
    aliases = List.copyOf(aliases);
  }
}

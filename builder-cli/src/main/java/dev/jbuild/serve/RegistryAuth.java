package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonParseException;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The client's registry credentials: {@code X-Registry-Auth} (pull, push: one registry's, base64url
 * JSON {@code {"username","password","serveraddress"}} or {@code {"identitytoken"}}) and {@code
 * X-Registry-Config} (build: a map of server address to the same). They go before the daemon's own
 * credentials for that request only.
 */
final class RegistryAuth {
  private RegistryAuth() {}

  /** The longest header value decoded (docker's configs are a few KiB). */
  private static final int MAX = 256 * 1024;

  static CredentialStore fromAuthHeader(String header, String host) throws ApiException {
    JsonObject o = decode(header);
    if (o == null) {
      return null;
    }
    RegistryCredential c = credential(o);
    if (c == null) {
      return null;
    }
    String server = o.string("serveraddress", "");
    String key = server.isEmpty() ? host : hostOf(server);
    return CredentialStore.of(Map.of(key, c));
  }

  static CredentialStore fromConfigHeader(String header) throws ApiException {
    JsonObject o = decode(header);
    if (o == null) {
      return null;
    }
    Map<String, RegistryCredential> byHost = new HashMap<>();
    for (String server : o.keys()) {
      if (o.get(server) instanceof JsonObject entry) {
        RegistryCredential c = credential(entry);
        if (c != null) {
          byHost.put(hostOf(server), c);
        }
      }
    }
    return byHost.isEmpty() ? null : CredentialStore.of(byHost);
  }

  private static JsonObject decode(String header) throws ApiException {
    if (header == null || header.isBlank()) {
      return null;
    }
    if (header.length() > MAX) {
      throw ApiException.badRequest("registry credentials header too large");
    }
    byte[] json;
    try {
      json = Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_'));
    } catch (IllegalArgumentException e) {
      try {
        json = Base64.getDecoder().decode(header.strip());
      } catch (IllegalArgumentException e2) {
        throw ApiException.badRequest("invalid registry credentials header: not base64");
      }
    }
    String text = new String(json, StandardCharsets.UTF_8).strip();
    if (text.isEmpty() || text.equals("null") || text.equals("{}")) {
      return null;
    }
    try {
      return Json.parseObject(text);
    } catch (JsonParseException e) {
      throw ApiException.badRequest("invalid registry credentials header: " + e.getMessage());
    }
  }

  private static RegistryCredential credential(JsonObject o) {
    String token = o.string("identitytoken", "");
    String user = o.string("username", "");
    String password = o.string("password", "");
    if (!token.isEmpty()) {
      return new RegistryCredential(user, token, true);
    }
    if (user.isEmpty() && password.isEmpty()) {
      return null;
    }
    return RegistryCredential.basic(user, password);
  }

  /**
   * A registry failure's message for a docker client: the engine's hint names jbuild's login, the
   * daemon's clients log in with theirs ({@code docker login}, which the daemon checks).
   */
  static String forClient(String message) {
    return message == null ? null : message.replace("run 'jbuild login ", "run 'docker login ");
  }

  /** {@code https://index.docker.io/v1/} is docker.io; {@code host:5000} stays. */
  static String hostOf(String server) {
    String s = server.replaceFirst("^[a-zA-Z]+://", "");
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.equals("index.docker.io") || s.equals("registry-1.docker.io")) {
      return "docker.io";
    }
    return s;
  }
}

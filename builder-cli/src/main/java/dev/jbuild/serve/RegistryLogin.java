package dev.jbuild.serve;

import dev.jbuild.cli.DaemonRegistry;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * {@code POST /auth}, docker's login check: the docker CLI's {@code docker login} sends the
 * credentials ({@code username}, {@code password} or {@code identitytoken}, {@code serveraddress})
 * and saves them only when the daemon says the registry accepts them. Nothing is kept by the
 * daemon; pulls and pushes carry the credentials again ({@code X-Registry-Auth}).
 */
final class RegistryLogin {
  private RegistryLogin() {}

  static void serve(ServeContext context, ApiCall call) throws IOException, ApiException {
    if (!(call.jsonBody() instanceof JsonObject o)) {
      throw ApiException.badRequest("the auth body must be a JSON object");
    }
    String server = o.string("serveraddress", "");
    String host = server.isBlank() ? "docker.io" : RegistryAuth.hostOf(server.strip());
    if (host.isEmpty()) {
      throw ApiException.badRequest("invalid serveraddress: " + server);
    }
    String token = o.string("identitytoken", "");
    String user = o.string("username", "");
    RegistryCredential credential =
        token.isEmpty()
            ? RegistryCredential.basic(user, o.string("password", ""))
            : new RegistryCredential(user, token, true);
    PrintWriter log = new PrintWriter(new StringWriter());
    try {
      DaemonRegistry.login(context.env(), host, credential, log);
    } catch (RegistryException e) {
      if (e.kind() == RegistryException.Kind.UNAUTHORIZED) {
        // docker's words for rejected credentials, with its status
        throw new ApiException(
            401,
            "login attempt to "
                + DaemonRegistry.loginUrl(context.env(), host, log)
                + " failed with status: 401 Unauthorized");
      }
      throw new ApiException(500, e.getMessage());
    }
    call.json(200, JsonObject.builder().put("Status", "Login Succeeded").build());
  }
}

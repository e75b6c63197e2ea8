package dev.jbuild.builder.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * How jbuild's git fetches reach a remote: which schemes are allowed (https, ssh, git; plain http
 * only to loopback or hosts registries.json declares insecure), BuildKit's auth secrets as an HTTP
 * Authorization header, and ssh through the system's {@code ssh} client with the {@code --ssh
 * default} agent (JGit's core has no ssh implementation of its own).
 */
final class GitTransports {
  private GitTransports() {}

  /** Refuses a remote jbuild must not fetch: the reason, or empty when allowed. */
  static Optional<String> refusal(GitRef ref, GitAccess access) {
    return switch (ref.scheme()) {
      case "https", "git" -> Optional.empty();
      case "ssh" ->
          access.sshAgent().isPresent()
              ? Optional.empty()
              : Optional.of(
                  "an ssh remote needs an SSH agent: pass --ssh default (or --ssh"
                      + " default=$SSH_AUTH_SOCK)");
      case "http" ->
          access.config().insecure(ref.hostPort())
              ? Optional.empty()
              : Optional.of(
                  "plain http to "
                      + ref.hostPort()
                      + " is refused: use https, or declare the host insecure in registries.json");
      default -> Optional.of("unsupported git scheme " + ref.scheme());
    };
  }

  /**
   * The Authorization header BuildKit sends for {@code remote}: the first of GIT_AUTH_HEADER.HOST,
   * GIT_AUTH_TOKEN.HOST, GIT_AUTH_HEADER, GIT_AUTH_TOKEN the build has (a token as basic auth of
   * {@code x-access-token:TOKEN}).
   */
  static Optional<String> authorization(GitRef ref, GitAccess access) throws IOException {
    String host = ref.hostPort();
    record Name(String id, boolean token) {}
    List<Name> names = new ArrayList<>();
    if (!host.isEmpty()) {
      names.add(new Name("GIT_AUTH_HEADER." + host, false));
      names.add(new Name("GIT_AUTH_TOKEN." + host, true));
    }
    names.add(new Name("GIT_AUTH_HEADER", false));
    names.add(new Name("GIT_AUTH_TOKEN", true));
    for (Name n : names) {
      Optional<byte[]> v = access.secrets().get(n.id());
      if (v.isPresent()) {
        String s = new String(v.get(), StandardCharsets.UTF_8).strip();
        return Optional.of(
            n.token()
                ? "basic "
                    + Base64.getEncoder()
                        .encodeToString(("x-access-token:" + s).getBytes(StandardCharsets.UTF_8))
                : s);
      }
    }
    return Optional.empty();
  }

  /**
   * Configures each transport of one fetch: the auth header, or else the user's git credential
   * helper when the server answers 401; the ssh client. Call {@link Auth#succeeded} after the fetch
   * worked, so a helper may store the credential (as git's {@code credential approve}).
   */
  static Auth callback(GitRef ref, GitAccess access) throws IOException {
    Optional<String> auth =
        ref.scheme().startsWith("http") ? authorization(ref, access) : Optional.empty();
    int timeout = (int) Math.max(1, access.config().timeouts().read().toSeconds());
    HelperCredentials helper =
        ref.scheme().startsWith("http") && auth.isEmpty() ? new HelperCredentials() : null;
    return new Auth(auth, helper, access.sshAgent(), timeout);
  }

  /** One source's transport settings; {@link #succeeded} approves a helper's credential. */
  static final class Auth implements TransportConfigCallback {
    private final Optional<String> header;
    private final HelperCredentials helper;
    private final Optional<Path> agent;
    private final int timeout;

    private Auth(
        Optional<String> header, HelperCredentials helper, Optional<Path> agent, int timeout) {
      this.header = header;
      this.helper = helper;
      this.agent = agent;
      this.timeout = timeout;
    }

    @Override
    public void configure(Transport t) {
      t.setTimeout(timeout);
      if (t instanceof TransportHttp http) {
        if (header.isPresent()) {
          http.setAdditionalHeaders(Map.of("Authorization", header.get()));
        } else if (helper != null) {
          // JGit asks the provider only when the server answers 401: a public repository never
          // runs git
          t.setCredentialsProvider(helper);
        }
      }
      if (t instanceof SshTransport ssh) {
        ssh.setSshSessionFactory(new SystemSsh(agent, timeout));
      }
    }

    /**
     * The fetch worked: {@code git credential approve} the helper's credential, if one was used.
     */
    void succeeded() {
      if (helper != null) {
        helper.approve();
      }
    }
  }

  /**
   * Username and password from {@code git credential fill}, asked at most once per remote; a
   * credential the server refused is {@code git credential reject}ed and not asked again.
   */
  private static final class HelperCredentials extends CredentialsProvider {
    private GitCredentialHelper.Request request;
    private GitCredentialHelper.Credential credential;
    private boolean asked;
    private boolean rejected;
    private boolean approved;

    @Override
    public boolean isInteractive() {
      return false;
    }

    @Override
    public boolean supports(CredentialItem... items) {
      for (CredentialItem i : items) {
        if (!(i instanceof CredentialItem.Username) && !(i instanceof CredentialItem.Password)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public synchronized boolean get(URIish uri, CredentialItem... items) {
      if (rejected || !supports(items)) {
        return false;
      }
      GitCredentialHelper.Request r = request(uri);
      if (!asked || !r.equals(request)) {
        asked = true;
        request = r;
        credential = GitCredentialHelper.fill(r).orElse(null);
      }
      if (credential == null) {
        return false;
      }
      for (CredentialItem i : items) {
        if (i instanceof CredentialItem.Username u) {
          u.setValue(credential.username());
        } else if (i instanceof CredentialItem.Password p) {
          p.setValue(credential.password().toCharArray());
        }
      }
      return true;
    }

    /** The server refused the credential: the helpers forget it, and it is not asked again. */
    @Override
    public synchronized void reset(URIish uri) {
      if (credential != null) {
        GitCredentialHelper.reject(request, credential);
        credential = null;
      }
      rejected = true;
    }

    synchronized void approve() {
      if (credential != null && !rejected && !approved) {
        approved = true;
        GitCredentialHelper.approve(request, credential);
      }
    }

    private static GitCredentialHelper.Request request(URIish uri) {
      String host = uri.getHost() == null ? "" : uri.getHost();
      if (uri.getPort() > 0) {
        host = host + ":" + uri.getPort();
      }
      String path = uri.getPath() == null ? "" : uri.getPath();
      while (path.startsWith("/")) {
        path = path.substring(1);
      }
      return new GitCredentialHelper.Request(uri.getScheme(), host, path);
    }
  }

  /**
   * ssh through the system's {@code ssh}, in batch mode, with SSH_AUTH_SOCK the forwarded agent.
   */
  private static final class SystemSsh extends SshSessionFactory {
    private final Optional<Path> agent;
    private final int timeout;

    SystemSsh(Optional<Path> agent, int timeout) {
      this.agent = agent;
      this.timeout = timeout;
    }

    @Override
    public String getType() {
      return "jbuild-system-ssh";
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider cp, FS fs, int tms)
        throws TransportException {
      if (agent.isEmpty()) {
        throw new TransportException(uri, "no SSH agent: pass --ssh default");
      }
      return new RemoteSession() {
        @Override
        public Process exec(String command, int t) throws IOException {
          List<String> argv = new ArrayList<>();
          // BuildKit's ssh command when no known hosts are given: no config file, no host key
          // check (its GIT_SSH_COMMAND "ssh -F /dev/null -o StrictHostKeyChecking=no")
          argv.add("ssh");
          argv.add("-F");
          argv.add("/dev/null");
          argv.add("-o");
          argv.add("StrictHostKeyChecking=no");
          argv.add("-o");
          argv.add("UserKnownHostsFile=/dev/null");
          argv.add("-o");
          argv.add("LogLevel=ERROR");
          // the forwarded agent's keys only, never the user's default identity files
          argv.add("-o");
          argv.add("IdentityFile=/dev/null");
          argv.add("-o");
          argv.add("BatchMode=yes");
          argv.add("-o");
          argv.add("ConnectTimeout=" + timeout);
          argv.add("-o");
          argv.add("ServerAliveInterval=" + Math.max(1, timeout / 3));
          if (uri.getPort() > 0) {
            argv.add("-p");
            argv.add(String.valueOf(uri.getPort()));
          }
          argv.add("--");
          argv.add(uri.getUser() == null ? uri.getHost() : uri.getUser() + "@" + uri.getHost());
          argv.add(command);
          ProcessBuilder pb = new ProcessBuilder(argv);
          pb.environment().put("SSH_AUTH_SOCK", agent.get().toString());
          return pb.start();
        }

        @Override
        public void disconnect() {}
      };
    }
  }
}

package dev.jbuild.builder.run;

import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.fs.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The secrets a build was given ({@code --secret id=ID,src=PATH} or {@code id=ID,env=VAR}). Values
 * are read only when a RUN mounts them, written into a private temp file for the mount, and never
 * reach a layer, the history or a cache key.
 */
public final class Secrets {
  /** Where a secret's value comes from. */
  public sealed interface Source {
    byte[] read() throws IOException;

    /** A file on the host. */
    record FromFile(Path path) implements Source {
      @Override
      public byte[] read() throws IOException {
        return Files.readAllBytes(path);
      }
    }

    /** An environment variable of the jbuild process. */
    record FromEnv(String variable, Map<String, String> env) implements Source {
      @Override
      public byte[] read() throws IOException {
        String v = env.get(variable);
        if (v == null) {
          throw BuildErrors.secretVariableUnset(variable);
        }
        return v.getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  private final Map<String, Source> sources;

  public Secrets(Map<String, Source> sources) {
    this.sources = Map.copyOf(sources);
  }

  public static Secrets none() {
    return new Secrets(Map.of());
  }

  /**
   * Parses {@code --secret} values: {@code id=ID[,src|source=PATH][,env=VAR][,type=file|env]}; an
   * id alone reads the environment variable of that name, as buildx does.
   *
   * @throws IllegalArgumentException with a message naming the bad value
   */
  public static Secrets parse(Iterable<String> specs, Map<String, String> env) {
    Map<String, Source> out = new LinkedHashMap<>();
    for (String spec : specs) {
      String id = null;
      String src = null;
      String var = null;
      String type = null;
      for (String field : spec.split(",")) {
        int eq = field.indexOf('=');
        if (eq <= 0) {
          throw BuildErrors.invalidSecret(spec, "expected key=value fields");
        }
        String k = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String v = field.substring(eq + 1).trim();
        switch (k) {
          case "id" -> id = v;
          case "src", "source" -> src = v;
          case "env" -> var = v;
          case "type" -> type = v;
          default -> throw BuildErrors.invalidSecret(spec, "unknown field '" + k + "'");
        }
      }
      if (id == null || id.isEmpty()) {
        throw BuildErrors.invalidSecret(spec, "id is required");
      }
      if (type != null && !type.equals("file") && !type.equals("env")) {
        throw BuildErrors.invalidSecret(spec, "type must be file or env");
      }
      Source s;
      if ("env".equals(type) || (var != null && src == null)) {
        s = new Source.FromEnv(var != null ? var : src != null ? src : id, env);
      } else if (src != null) {
        Path p = Path.of(src).toAbsolutePath();
        if (!Files.isReadable(p)) {
          throw BuildErrors.unreadableSecret(id, p);
        }
        s = new Source.FromFile(p);
      } else {
        s = new Source.FromEnv(id, env);
      }
      out.put(id, s);
    }
    return new Secrets(out);
  }

  public Optional<Source> get(String id) {
    return Optional.ofNullable(sources.get(id));
  }

  /** Writes the secret into a new file in {@code dir} with the given owner and mode. */
  public Path materialize(String id, Path dir, int mode, long uid, long gid) throws IOException {
    Source s = sources.get(id);
    if (s == null) {
      throw BuildErrors.secretMissing(id);
    }
    Path f = Files.createTempFile(dir, "secret-", "");
    Posix.chmod(f, 0600);
    Files.write(f, s.read());
    Posix.lchown(f, uid, gid);
    Posix.chmod(f, mode);
    return f;
  }
}

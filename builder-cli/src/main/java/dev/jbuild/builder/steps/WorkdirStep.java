package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.copy.CopyLayer;
import dev.jbuild.builder.copy.RootfsView;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.user.ResolvedUser;
import dev.jbuild.runner.user.UserResolver;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * WORKDIR: sets the working directory and, as BuildKit does, creates it when the image lacks it
 * (with its missing parents, owned by the current USER, mode 0755). An existing directory gives no
 * layer.
 */
public final class WorkdirStep implements Step<Step.Nothing> {
  private final String path;
  private final String user;
  private final BuildServices services;

  /**
   * @param path the absolute, cleaned working directory
   */
  public WorkdirStep(String path, String user, BuildServices services) {
    this.path = path;
    this.user = user == null ? "" : user;
    this.services = services;
  }

  /** Joins WORKDIR's argument to the current one and cleans it (Go's path.Clean). */
  public static String resolve(String current, String arg) {
    String base = current == null || current.isEmpty() ? "/" : current;
    String joined = arg.startsWith("/") ? arg : base + "/" + arg;
    List<String> parts = TarNames.components(joined);
    return "/" + String.join("/", parts);
  }

  @Override
  public String kind() {
    return "workdir";
  }

  @Override
  public boolean producesLayer() {
    return !path.equals("/");
  }

  @Override
  public String createdBy() {
    return "WORKDIR " + path;
  }

  @Override
  public Nothing prepare(KeyBuilder key, StageState state) {
    key.put("path", path);
    key.put("user", user);
    return Nothing.INSTANCE;
  }

  @Override
  public ImageConfig apply(ImageConfig config) {
    return config.withWorkingDir(path);
  }

  @Override
  public Optional<CacheRecord.Layer> execute(
      Nothing prepared, StageState state, Execution execution) throws IOException, StepFailure {
    if (path.equals("/")) {
      return Optional.empty();
    }
    RootfsView root =
        state.layers().isEmpty()
            ? null
            : RootfsView.layers(services.store().layers().unpacked(state.diffIds()).reversed());
    if (root != null) {
      Stat st = root.lstat(root.resolve(path, true));
      if (st != null) {
        if (st.isDirectory()) {
          return Optional.empty();
        }
        throw BuildErrors.workdirNotDirectory(path);
      }
    }
    long uid = 0;
    long gid = 0;
    if (!user.isEmpty()) {
      ResolvedUser u =
          root == null ? numeric(user) : UserResolver.resolve(Chown.database(root), user);
      uid = u.uid();
      gid = u.gid();
    }
    CopyLayer.Attributes attrs = new CopyLayer.Attributes(uid, gid, true, null, services.now());
    return Optional.of(
        LayerBlobs.write(
            services.store(),
            services.sourceDateEpoch(),
            w -> CopyLayer.write(w, root, List.of(), path + "/", attrs)));
  }

  private static ResolvedUser numeric(String user) throws StepFailure {
    String[] p = user.split(":", 2);
    try {
      long uid = Long.parseLong(p[0]);
      long gid = p.length > 1 ? Long.parseLong(p[1]) : 0;
      return new ResolvedUser(uid, gid, List.of(), "/");
    } catch (NumberFormatException e) {
      throw BuildErrors.userNotFound(p[0]);
    }
  }
}

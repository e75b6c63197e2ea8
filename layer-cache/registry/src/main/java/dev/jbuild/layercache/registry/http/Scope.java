package dev.jbuild.layercache.registry.http;

/**
 * What a request needs access to: a repository for pull or pull+push, and for a cross-repository
 * mount also pull on the source repository. Bearer tokens are cached per scope.
 */
record Scope(String repository, boolean push, String mountFrom) {
  static final Scope REGISTRY = new Scope(null, false, null);

  static Scope pull(String repository) {
    return new Scope(repository, false, null);
  }

  static Scope push(String repository) {
    return new Scope(repository, true, null);
  }

  /** The token service's scope parameters, e.g. {@code repository:a/b:pull,push}. */
  java.util.List<String> tokenScopes() {
    if (repository == null) {
      return java.util.List.of();
    }
    var out = new java.util.ArrayList<String>();
    out.add("repository:" + repository + (push ? ":pull,push" : ":pull"));
    if (mountFrom != null && !mountFrom.equals(repository)) {
      out.add("repository:" + mountFrom + ":pull");
    }
    return out;
  }

  String key() {
    return String.join(" ", tokenScopes());
  }

  String action() {
    return push ? "push" : "pull";
  }
}

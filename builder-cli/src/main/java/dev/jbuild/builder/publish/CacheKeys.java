package dev.jbuild.builder.publish;

import java.util.List;

/**
 * The cache keys a build used: every step's ({@code mode=max}) and those of the target stage of
 * each platform ({@code mode=min}, inline).
 */
public record CacheKeys(List<String> all, List<String> finalStage) {
  public CacheKeys {
    all = List.copyOf(all);
    finalStage = List.copyOf(finalStage);
  }

  public List<String> of(CacheExport.Mode mode) {
    return mode == CacheExport.Mode.MAX ? all : finalStage;
  }
}

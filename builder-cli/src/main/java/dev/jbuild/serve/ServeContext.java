package dev.jbuild.serve;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every route area shares in one daemon: the store it owns (one daemon per store, under the
 * store's lock), the environment it was started with (for the engine's settings, as the CLI reads
 * them), and the event bus.
 */
public record ServeContext(Path storeRoot, Map<String, String> env, Events events) {}

package dev.jbuild.runner;

/** The network a run gets: the host's (the build default, as buildah's) or only loopback. */
public enum Network {
  HOST,
  NONE
}

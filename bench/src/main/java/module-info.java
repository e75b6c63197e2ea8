/**
 * JMH micro-benchmarks of the parser and the layer codec. Not part of the product: nothing requires
 * it. The runner and registry benchmarks are test sources (they need testdata and runner internals,
 * which no main code may import).
 */
@SuppressWarnings("requires-automatic") // JMH has no module-info; its jar name gives the module
module dev.jbuild.bench {
  requires dev.jbuild.grammar;
  requires dev.jbuild.layercodec;
  requires jmh.core;
}

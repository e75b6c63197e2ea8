/**
 * The Dockerfile front end: directives, instruction records, word expansion, the stage graph, the
 * .dockerignore matcher and the `jbuild parse` renderings. No ANTLR type leaves it: the generated
 * parser and the JSON helpers (`parse`, `json`) are internal.
 */
@SuppressWarnings("requires-automatic") // the ANTLR runtime has no module-info, only a module name
module dev.jbuild.grammar {
  requires org.antlr.antlr4.runtime;

  exports dev.jbuild.grammar;
  exports dev.jbuild.grammar.checks;
  exports dev.jbuild.grammar.dump;
  exports dev.jbuild.grammar.graph;
  exports dev.jbuild.grammar.ignore;
  exports dev.jbuild.grammar.instructions;
  exports dev.jbuild.grammar.shell;
}

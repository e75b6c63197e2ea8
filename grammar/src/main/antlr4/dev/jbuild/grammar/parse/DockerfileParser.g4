/*
 * Parser for one logical Dockerfile line: keyword, builder flags, arguments. Every token sequence
 * the lexer produces is a valid line, so parsing never fails; argument shapes (counts, JSON arrays,
 * key=value pairs) are checked by InstructionFactory, which gives BuildKit's error messages.
 */
parser grammar DockerfileParser;

options { tokenVocab = DockerfileLexer; }

line : instruction EOF ;

instruction
  : ADD flags args                   # add
  | ARG flags args                   # arg
  | CMD flags args                   # cmd
  | COPY flags args                  # copy
  | ENTRYPOINT flags args            # entrypoint
  | ENV flags args                   # env
  | EXPOSE flags args                # expose
  | FROM flags args                  # from
  | HEALTHCHECK flags args           # healthcheck
  | LABEL flags args                 # label
  | MAINTAINER flags args            # maintainer
  | ONBUILD flags instruction?       # onbuild
  | RUN flags args                   # run
  | SHELL flags args                 # shell
  | STOPSIGNAL flags args            # stopsignal
  | USER flags args                  # user
  | VOLUME flags args                # volume
  | WORKDIR flags args               # workdir
  | NAME flags args                  # unknown
  ;

flags : FLAG* ;

args : WORD* ;

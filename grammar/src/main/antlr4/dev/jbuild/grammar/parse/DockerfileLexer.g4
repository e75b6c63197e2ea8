/*
 * Lexer for one logical Dockerfile line (continuations already joined, heredoc bodies removed by
 * the hand-written pre-pass in DockerfileReader). Modes follow the line's structure:
 *   DEFAULT_MODE  the instruction word: a keyword (ASCII case-insensitive) or NAME (unknown)
 *   FLAGS         builder flags (--name[=value], quotes and backslash escapes as BuildKit's
 *                 extractBuilderFlags reads them); a word not starting with "--" ends the flags
 *   ARGS / ARGS_BT  ENV, LABEL and ARG arguments as words: quotes and the escape character
 *                 (backslash, or backtick after "# escape=`") keep whitespace inside a word, as
 *                 BuildKit's parseWords splits them
 *   RAW           the arguments of every other instruction as one token: they take the text
 *                 whole or split it on whitespace themselves (and a one-state mode keeps a cold
 *                 JVM from building DFA states for long RUN lines)
 * After ONBUILD's flags the lexer returns to DEFAULT_MODE: the trigger is a nested instruction.
 */
lexer grammar DockerfileLexer;

// The instruction keywords are token types the NAME rule assigns (one lexer rule instead of one
// per keyword keeps the ATN small, which matters for a cold JVM: the DFA is built as lines arrive).
tokens { ADD, ARG, CMD, COPY, ENTRYPOINT, ENV, EXPOSE, FROM, HEALTHCHECK, LABEL, MAINTAINER,
  ONBUILD, RUN, SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR }

@members {
  private int argsMode = ARGS;
  private boolean flagsDone;
  private boolean backtick;

  /** Selects the escape character of the arguments: backtick after "# escape=`". */
  public void setBacktickEscape(boolean backtick) {
    this.backtick = backtick;
  }

  /** The keyword token type of an instruction word (ASCII case-insensitive), or NAME. */
  static int keywordType(String word) {
    char[] c = word.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (c[i] >= 'a' && c[i] <= 'z') {
        c[i] = (char) (c[i] - 32);
      }
    }
    return switch (new String(c)) {
      case "ADD" -> ADD;
      case "ARG" -> ARG;
      case "CMD" -> CMD;
      case "COPY" -> COPY;
      case "ENTRYPOINT" -> ENTRYPOINT;
      case "ENV" -> ENV;
      case "EXPOSE" -> EXPOSE;
      case "FROM" -> FROM;
      case "HEALTHCHECK" -> HEALTHCHECK;
      case "LABEL" -> LABEL;
      case "MAINTAINER" -> MAINTAINER;
      case "ONBUILD" -> ONBUILD;
      case "RUN" -> RUN;
      case "SHELL" -> SHELL;
      case "STOPSIGNAL" -> STOPSIGNAL;
      case "USER" -> USER;
      case "VOLUME" -> VOLUME;
      case "WORKDIR" -> WORKDIR;
      default -> NAME;
    };
  }

  private void instructionWord() {
    int type = keywordType(getText());
    setType(type);
    argsMode =
        switch (type) {
          case ONBUILD -> DEFAULT_MODE;
          case ENV, LABEL, ARG -> backtick ? ARGS_BT : ARGS;
          default -> RAW;
        };
    flagsDone = false;
    mode(FLAGS);
  }

  private void afterSpace() {
    if (flagsDone || _input.LA(1) != '-' || _input.LA(2) != '-') {
      mode(argsMode);
    }
  }
}

LEAD_WS : WSCHAR+ -> skip ;
NAME    : ~[ \t\r\n\f\u000B]+ { instructionWord(); } ;

mode FLAGS;

// A quoted part either closes on the same line or runs to the end of the line. The lexer picks the
// longest match, and a closed quote always gives the longer token, so the "open" alternatives only
// win when the quote really is unterminated (as BuildKit reads it: the word runs to the end).
FLAG_WS       : WSCHAR+ { afterSpace(); } -> skip ;
FLAG          : '--' FPART* { if (getText().equals("--")) { flagsDone = true; } } ;
FLAG_OPEN     : '--' FPART* ( '"' ( '\\' . | ~["\\] )* | '\'' ( '\\' . | ~['\\] )* ) '\\'? -> type(FLAG) ;
FLAG_ESC_END  : '--' FPART* '\\' -> type(FLAG) ;

mode RAW;

REST          : ~[\n]+ ;

mode ARGS;

ARG_WS        : WSCHAR+ -> channel(HIDDEN) ;
WORD          : WPART+ ;
WORD_OPEN     : WPART* ( '"' ( '\\' . | ~["\\] )* '\\'? | '\'' ~'\''* ) -> type(WORD) ;
WORD_ESC_END  : WPART* '\\' -> type(WORD) ;

mode ARGS_BT;

ARG_WS_BT     : WSCHAR+ -> type(ARG_WS), channel(HIDDEN) ;
WORD_BT       : WPART_BT+ -> type(WORD) ;
WORD_OPEN_BT  : WPART_BT* ( '"' ( '`' . | ~["`] )* '`'? | '\'' ~'\''* ) -> type(WORD) ;
WORD_ESC_END_BT : WPART_BT* '`' -> type(WORD) ;

fragment FPART
  : '\\' .
  | '"' ( '\\' . | ~["\\] )* '"'
  | '\'' ( '\\' . | ~['\\] )* '\''
  | ~[ \t\r\n\f\u000B"'\\]
  ;
fragment WPART
  : '\\' .
  | '"' ( '\\' . | ~["\\] )* '"'
  | '\'' ~'\''* '\''
  | ~[ \t\r\n\f\u000B"'\\]
  ;
fragment WPART_BT
  : '`' .
  | '"' ( '`' . | ~["`] )* '"'
  | '\'' ~'\''* '\''
  | ~[ \t\r\n\f\u000B"'`]
  ;
fragment WSCHAR : [ \t\r\f\u000B] ;

/*
 * Lexer for one logical Dockerfile line (continuations already joined, heredoc bodies removed by
 * the hand-written pre-pass in LogicalLines). Modes follow the line's structure:
 *   DEFAULT_MODE  the instruction keyword (case-insensitive), or any other word (unknown instruction)
 *   FLAGS         builder flags (--name[=value], quotes and backslash escapes as BuildKit's
 *                 extractBuilderFlags reads them); a word not starting with "--" ends the flags
 *   ARGS / ARGS_BT  the arguments as words: quotes and the escape character (backslash, or
 *                 backtick after "# escape=`") keep whitespace inside a word, as BuildKit's
 *                 parseWords splits them. The raw text stays available for instructions that
 *                 take it whole (RUN, CMD, ...).
 * After ONBUILD's flags the lexer returns to DEFAULT_MODE: the trigger is a nested instruction.
 */
lexer grammar DockerfileLexer;

@members {
  private int argsMode = ARGS;
  private boolean flagsDone;
  private boolean backtick;

  /** Selects the escape character of the arguments: backtick after "# escape=`". */
  public void setBacktickEscape(boolean backtick) {
    this.backtick = backtick;
  }

  private void keyword(boolean nested) {
    argsMode = nested ? DEFAULT_MODE : (backtick ? ARGS_BT : ARGS);
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

ADD         : A D D { keyword(false); } ;
ARG         : A R G { keyword(false); } ;
CMD         : C M D { keyword(false); } ;
COPY        : C O P Y { keyword(false); } ;
ENTRYPOINT  : E N T R Y P O I N T { keyword(false); } ;
ENV         : E N V { keyword(false); } ;
EXPOSE      : E X P O S E { keyword(false); } ;
FROM        : F R O M { keyword(false); } ;
HEALTHCHECK : H E A L T H C H E C K { keyword(false); } ;
LABEL       : L A B E L { keyword(false); } ;
MAINTAINER  : M A I N T A I N E R { keyword(false); } ;
ONBUILD     : O N B U I L D { keyword(true); } ;
RUN         : R U N { keyword(false); } ;
SHELL       : S H E L L { keyword(false); } ;
STOPSIGNAL  : S T O P S I G N A L { keyword(false); } ;
USER        : U S E R { keyword(false); } ;
VOLUME      : V O L U M E { keyword(false); } ;
WORKDIR     : W O R K D I R { keyword(false); } ;
NAME        : ~[ \t\r\n\f\u000B]+ { keyword(false); } ;

mode FLAGS;

// A quoted part either closes on the same line or runs to the end of the line. The lexer picks the
// longest match, and a closed quote always gives the longer token, so the "open" alternatives only
// win when the quote really is unterminated (as BuildKit reads it: the word runs to the end).
FLAG_WS       : WSCHAR+ { afterSpace(); } -> skip ;
FLAG          : '--' FPART* { if (getText().equals("--")) { flagsDone = true; } } ;
FLAG_OPEN     : '--' FPART* ( '"' ( '\\' . | ~["\\] )* | '\'' ( '\\' . | ~['\\] )* ) '\\'? -> type(FLAG) ;
FLAG_ESC_END  : '--' FPART* '\\' -> type(FLAG) ;

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
fragment A : [aA] ;
fragment B : [bB] ;
fragment C : [cC] ;
fragment D : [dD] ;
fragment E : [eE] ;
fragment F : [fF] ;
fragment G : [gG] ;
fragment H : [hH] ;
fragment I : [iI] ;
fragment K : [kK] ;
fragment L : [lL] ;
fragment M : [mM] ;
fragment N : [nN] ;
fragment O : [oO] ;
fragment P : [pP] ;
fragment R : [rR] ;
fragment S : [sS] ;
fragment T : [tT] ;
fragment U : [uU] ;
fragment V : [vV] ;
fragment W : [wW] ;
fragment X : [xX] ;
fragment Y : [yY] ;

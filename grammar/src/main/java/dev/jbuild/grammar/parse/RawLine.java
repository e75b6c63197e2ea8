package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.instructions.Keyword;
import java.util.List;

/**
 * The parse tree of one logical line, as plain data: keyword, builder flags, argument text and
 * words, and for ONBUILD the nested line. Offsets index into the logical line's text.
 *
 * @param keyword the instruction, or null for an unknown one (then {@code name} says what was
 *     written)
 * @param rest the arguments after the flags, trimmed (BuildKit's "args" string)
 * @param words the argument words, quotes and escapes kept (BuildKit's parseWords)
 * @param nested the trigger of ONBUILD, else null
 */
record RawLine(
    Keyword keyword,
    String name,
    int offset,
    List<RawFlag> flags,
    String rest,
    int restOffset,
    List<RawWord> words,
    RawLine nested) {

  /** A builder flag: {@code value} is the word with quotes and escapes resolved. */
  record RawFlag(String value, int offset) {}

  /** An argument word as written. */
  record RawWord(String text, int offset) {}
}

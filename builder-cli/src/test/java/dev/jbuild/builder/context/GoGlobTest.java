package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoGlobTest {
  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "abc|abc|true",
        "*|abc|true",
        "*c|abc|true",
        "a*|a|true",
        "a*|abc|true",
        "a*/b|abc/b|true",
        "a*b*c*d*e*/f|axbxcxdxe/f|true",
        "a*b*c*d*e*/f|axbxcxdxexxx/f|true",
        "a*b*c*d*e*/f|axbxcxdxe/xxx/f|false",
        "a*b?c*x|abxbbxdbxebxczzx|true",
        "a*b?c*x|abxbbxdbxebxczzy|false",
        "ab[c]|abc|true",
        "ab[b-d]|abc|true",
        "ab[e-g]|abc|false",
        "ab[^c]|abc|false",
        "ab[^b-d]|abc|false",
        "ab[^e-g]|abc|true",
        "a\\*b|a*b|true",
        "a\\*b|ab|false",
        "a?b|a☺b|true",
        "a[^a]b|a☺b|true",
        "*.go|main.go|true",
        "*.go|dir/main.go|false",
        "?|/|false",
        "a*|a/b|false",
        "[\\]a]|]|true",
        "[\\-]|-|true",
        "[x\\-]|-|true",
        "[-x]|a|false",
      })
  void matchesLikeGo(String pattern, String name, boolean expected) {
    assertEquals(expected, GoGlob.match(pattern, name));
  }

  @ParameterizedTest
  @CsvSource({"[", "[^", "[^bc", "a[", "ab\\"})
  void rejectsBadPatterns(String pattern) {
    assertThrows(IllegalArgumentException.class, () -> GoGlob.match(pattern, "abc"));
  }
}

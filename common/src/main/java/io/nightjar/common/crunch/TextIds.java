package io.nightjar.common.crunch;

/**
 * Whether an id read from outside (a sensor id, a track id in a dump) is printable text. Refused: U+FFFD (the
 * decoder's stand-in for bytes that are not UTF-8), control characters (NUL, ESC, DEL...), invisible format characters
 * (U+202E right-to-left override, U+FEFF byte order mark, U+200B zero-width space), line and paragraph separators
 * (U+2028, U+2029), lone surrogates and private-use code points. Such ids print as something else than they are, or
 * not at all, so the records that carry them are quarantined ({@link #BAD_ID}) rather than published under an id
 * nobody can type. Unassigned code points pass: which are unassigned depends on the JDK's Unicode version, and a
 * client and its tasks must agree.
 *
 * <p>Cost: one pass over the id's chars, two comparisons each for printable ASCII.
 */
public final class TextIds {

  /** The quarantine reason for an id that is not printable text. */
  public static final String BAD_ID = "BAD_ID";

  private TextIds() {
  }

  /** What is wrong with {@code id}, e.g. "contains U+202E (an invisible format character)", or null if nothing. */
  public static String problem(String id) {
    int length = id.length();
    int i = 0;
    while (i < length && id.charAt(i) >= 0x20 && id.charAt(i) < 0x7f) { // printable ASCII: most ids, every char
      i++;
    }
    while (i < length) {
      int c = id.codePointAt(i);
      i += Character.charCount(c);
      if (c >= 0x20 && c < 0x7f) {
        continue;
      }
      String what;
      if (c == 0xFFFD) {
        what = "the replacement character: bytes that are not UTF-8";
      } else {
        switch (Character.getType(c)) {
          case Character.CONTROL:
            what = "a control character";
            break;
          case Character.FORMAT:
            what = "an invisible format character";
            break;
          case Character.SURROGATE:
            what = "a lone surrogate";
            break;
          case Character.PRIVATE_USE:
            what = "a private-use character";
            break;
          case Character.LINE_SEPARATOR:
          case Character.PARAGRAPH_SEPARATOR:
            what = "a line or paragraph separator";
            break;
          default:
            continue;
        }
      }
      return String.format("contains U+%04X (%s)", c, what);
    }
    return null;
  }
}

package io.nightjar.common.crunch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** Ids that print as what they are pass; the ones real dumps and devices produced are named. */
public class TextIdsTest {

  @Test
  public void printableIdsPass() {
    assertNull(TextIds.problem("sensor-0001"));
    assertNull(TextIds.problem("Björk – Jóga (live)"));
    assertNull(TextIds.problem("トラック 7"));
    assertNull(TextIds.problem("track with spaces+plus"));
  }

  @Test
  public void idsThatAreNotTextAreNamed() {
    String decoded = new String(new byte[] {'s', (byte) 0xC3, '1'}, StandardCharsets.UTF_8); // an invalid byte
    assertEquals("contains U+FFFD (the replacement character: bytes that are not UTF-8)", TextIds.problem(decoded));
    assertEquals("contains U+0000 (a control character)", TextIds.problem("s\u00001"));
    assertEquals("contains U+202E (an invisible format character)", TextIds.problem("s\u202E1"));
    assertEquals("contains U+FEFF (an invisible format character)", TextIds.problem("track\uFEFF-1"));
    assertEquals("contains U+D800 (a lone surrogate)", TextIds.problem("s\uD8001"));
    assertEquals("contains U+E000 (a private-use character)", TextIds.problem("s\uE000"));
    assertEquals("contains U+2028 (a line or paragraph separator)", TextIds.problem("s\u20281"));
  }
}

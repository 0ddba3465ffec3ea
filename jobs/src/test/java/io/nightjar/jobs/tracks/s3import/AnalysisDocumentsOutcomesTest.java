package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * Every testdata document, and deterministic damage to some of them, parses to what the fixture
 * {@code analysis-documents-outcomes.txt} recorded (written with the parser before it moved from Jackson 1 to
 * Jackson 2): a digest of the record, or the reason and detail of the refusal. Syntax errors keep their reason; their
 * detail is the JSON library's wording and is not compared. When the contract changes on purpose, the actual outcomes
 * are in {@code target/analysis-documents-outcomes.txt}.
 */
public class AnalysisDocumentsOutcomesTest {

  private static final File[] FOLDERS = {new File("../testdata/analysis-samples"),
      new File("../testdata/tracks/documents/analysis")};
  private static final String FIXTURE = "/analysis-documents-outcomes.txt";
  /** A number where a JSON value starts: after a colon, a bracket or a comma. */
  private static final Pattern NUMBER = Pattern.compile("(?<=[:\\[,] ?)-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
  private static final Pattern PAIR = Pattern.compile("\"[a-z_]+\": ?(?:-?[0-9.eE+-]+|\"[^\"]*\"|null), ?");
  private static final String[] REPLACEMENTS = {"null", "\"x\"", "NaN", "1e39", "2.5", "{}", "[]", "-7", "1e999"};

  @Test
  public void outcomesAreTheRecordedOnes() throws Exception {
    List<String> actual = outcomes();
    File written = new File("target/analysis-documents-outcomes.txt");
    Files.write(written.toPath(), actual, StandardCharsets.UTF_8);
    List<String> expected;
    try (var in = getClass().getResourceAsStream(FIXTURE)) {
      expected = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
    }
    assertTrue("a few hundred outcomes", expected.size() > 500);
    for (int line = 0; line < Math.min(expected.size(), actual.size()); line++) {
      assertEquals("line " + (line + 1) + " (all in " + written + ")", expected.get(line), actual.get(line));
    }
    assertEquals("outcomes (all in " + written + ")", expected.size(), actual.size());
  }

  /**
   * The one outcome that changed on purpose: a string field holding an object or array is refused as of the wrong
   * type. The Jackson 1 parser took the text of its first token and went on reading the object's fields as the
   * track's own, and refused the document as {@code UNPARSABLE_DOCUMENT} ("content after the JSON object") or not at
   * all.
   */
  @Test
  public void aStringFieldHoldingAnObjectIsOfTheWrongType() {
    for (String value : new String[] {"{\"duration\": -1}", "[\"a\"]"}) {
      try {
        AnalysisDocuments.parse("t1", ("{\"track\": {\"sample_md5\": " + value + ", \"duration\": 1.0}, "
            + "\"bars\": []}").getBytes(StandardCharsets.UTF_8));
        fail("accepted " + value);
      } catch (AnalysisDocuments.InvalidDocumentException e) {
        assertEquals(AnalysisDocuments.INVALID_DOCUMENT + ": track.sample_md5 is not a string",
            e.reason() + ": " + e.getMessage());
      }
    }
  }

  /** Beyond Jackson 2's read limits, even in a skipped field, a document is not JSON nightjar reads. */
  @Test
  public void readLimitsRefuseTheDocument() throws Exception {
    String track = ", \"track\": {\"duration\": 1}}";
    assertTrue("1,000 deep with the document's object", outcome("t1", "{\"x\": " + "[".repeat(999) + "]".repeat(999)
        + track).startsWith("record "));
    assertEquals("UNPARSABLE_DOCUMENT: not JSON", outcome("t1", "{\"x\": " + "[".repeat(1000) + "]".repeat(1000)
        + track));
    assertEquals("UNPARSABLE_DOCUMENT: not JSON", outcome("t1", "{\"" + "k".repeat(50_001) + "\": 1" + track));
  }

  /** One line per document and per damaged variant: its name and its outcome. */
  private static List<String> outcomes() throws Exception {
    List<File> documents = new ArrayList<>();
    for (File folder : FOLDERS) {
      File[] files = folder.listFiles((dir, name) -> name.endsWith(".json"));
      Arrays.sort(files);
      documents.addAll(Arrays.asList(files));
    }
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      File file = documents.get(d);
      String id = file.getName().replace(".json", "");
      String text = Files.readString(file.toPath());
      lines.add(id + ": " + outcome(id, text));
      if (d % 7 != 0) {
        continue;
      }
      Random random = new Random(id.hashCode());
      for (int m = 0; m < 12; m++) {
        int kind = random.nextInt(REPLACEMENTS.length + 2);
        String damaged;
        String how;
        if (kind < REPLACEMENTS.length) {
          damaged = replaceOne(NUMBER, text, REPLACEMENTS[kind], random);
          how = "a number as " + REPLACEMENTS[kind];
        } else if (kind == REPLACEMENTS.length) {
          damaged = replaceOne(PAIR, text, "", random);
          how = "a field dropped";
        } else {
          int at = random.nextInt(Math.max(1, text.length()));
          damaged = text.substring(0, at);
          how = "cut at " + at;
        }
        lines.add(id + " (" + how + "): " + (damaged == null ? "-" : outcome(id, damaged)));
      }
    }
    return lines;
  }

  /** {@code text} with one match of {@code pattern}, chosen by {@code random}, replaced; null without a match. */
  private static String replaceOne(Pattern pattern, String text, String replacement, Random random) {
    List<int[]> matches = new ArrayList<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      matches.add(new int[] {matcher.start(), matcher.end()});
    }
    if (matches.isEmpty()) {
      return null;
    }
    int[] match = matches.get(random.nextInt(matches.size()));
    return text.substring(0, match[0]) + replacement + text.substring(match[1]);
  }

  private static String outcome(String id, String document) throws Exception {
    try {
      String record = AnalysisDocuments.parse(id, document.getBytes(StandardCharsets.UTF_8)).toString();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(record.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder("record ");
      for (int b = 0; b < 8; b++) {
        hex.append(String.format("%02x", digest[b]));
      }
      return hex.toString();
    } catch (AnalysisDocuments.InvalidDocumentException e) {
      return e.reason() + ": " + (e.getMessage().startsWith("not JSON: ") ? "not JSON" : e.getMessage());
    }
  }
}

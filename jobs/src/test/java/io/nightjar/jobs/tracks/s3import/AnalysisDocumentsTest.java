package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.testkit.tracks.TrackDocumentsGenerator;
import io.nightjar.testkit.tracks.SyntheticAnalysis;
import io.nightjar.avro.AudioAnalysis;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Random;
import org.junit.Test;

/** The document contract, on real-layout samples ({@code testdata/analysis-samples}) and damaged variants of them. */
public class AnalysisDocumentsTest {

  private static final File SAMPLES = new File("../testdata/analysis-samples");

  /** A small document in the real layout, parts as a real document has them. */
  private static final String SMALL = "{\"meta\": {\"analyzer_version\": \"4.0.0\", \"status_code\": 0, "
      + "\"nested\": {\"x\": 1}},"
      + " \"track\": {\"num_samples\": 4630000, \"duration\": 210.0, \"sample_md5\": \"\", \"loudness\": -7.25,"
      + " \"tempo\": 120.5, \"tempo_confidence\": 0.8, \"time_signature\": 4, \"key\": 5, \"mode\": 1,"
      + " \"codestring\": \"eJxVmgmS\", \"code_version\": 3.15},"
      + " \"bars\": [{\"start\": 0.5, \"duration\": 2.0, \"confidence\": 0.9}],"
      + " \"beats\": [{\"start\": 0.5, \"duration\": 0.5, \"confidence\": 0.8}],"
      + " \"tatums\": [{\"start\": 0.5, \"duration\": 0.25, \"confidence\": 0.7}],"
      + " \"sections\": [{\"start\": 0.0, \"duration\": 210.0, \"confidence\": 1.0, \"loudness\": -7.3,"
      + " \"tempo\": 120.4, \"tempo_confidence\": 0.6, \"key\": 5, \"key_confidence\": 0.4, \"mode\": 1,"
      + " \"mode_confidence\": 0.5, \"time_signature\": 4, \"time_signature_confidence\": 1.0}],"
      + " \"segments\": [{\"start\": 0.0, \"duration\": 0.3, \"confidence\": 0.5, \"loudness_start\": -60.0,"
      + " \"loudness_max_time\": 0.1, \"loudness_max\": -10.5, \"loudness_end\": 0,"
      + " \"pitches\": [1, 0.5, 0.25, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2],"
      + " \"timbre\": [42.1, -10.5, 3.25, 1, 2, 3, 4, 5, 6, 7, 8, -9.5]}]}";

  @Test
  public void parsesTheWholeDocumentTyped() throws Exception {
    AudioAnalysis analysis = parse("t1", SMALL);
    assertEquals(210.0, analysis.getTrack().getDuration(), 0);
    assertEquals(Integer.valueOf(5), analysis.getTrack().getKey());
    assertEquals(Double.valueOf(120.5), analysis.getTrack().getTempo());
    assertNull("absent parts stay null", analysis.getTrack().getEndOfFadeIn());
    assertEquals("4.0.0", analysis.getMeta().get("analyzer_version"));
    assertEquals("0", analysis.getMeta().get("status_code"));
    assertTrue("nested meta values are dropped", !analysis.getMeta().containsKey("nested"));
    assertEquals(1, analysis.getBars().size());
    assertEquals(0.25, analysis.getTatums().get(0).getDuration(), 0);
    assertEquals(Integer.valueOf(5), analysis.getSections().get(0).getKey());
    assertEquals(-10.5f, analysis.getSegments().get(0).getLoudnessMax(), 0);
    assertEquals(12, analysis.getSegments().get(0).getPitches().size());
    assertEquals(-9.5f, analysis.getSegments().get(0).getTimbre().get(11), 0);
  }

  @Test
  public void realLayoutSamplesParse() throws Exception {
    File[] samples = SAMPLES.listFiles((dir, name) -> name.endsWith(".json"));
    assertTrue(samples.length >= 3);
    int fullSize = 0;
    for (File sample : samples) {
      byte[] bytes = Files.readAllBytes(sample.toPath());
      AudioAnalysis analysis = AnalysisDocuments.parse(sample.getName().replace(".json", ""), bytes);
      if (analysis.getSegments().size() >= 300) {
        fullSize++;
        assertTrue(sample + " " + bytes.length + " bytes", bytes.length >= 100_000 && bytes.length <= 500_000);
      }
    }
    assertTrue("some samples have the size of a real track", fullSize >= 2);
  }

  @Test
  public void generatedDocumentsRoundTrip() throws Exception {
    Random random = new Random(7);
    AudioAnalysis analysis = SyntheticAnalysis.generate(random, 120);
    assertEquals(analysis, AnalysisDocuments.parse("t1", SyntheticAnalysis.toJson("t1", analysis, random, true)));
    assertEquals(analysis, AnalysisDocuments.parse("t1", SyntheticAnalysis.toJson(null, analysis, random, false)));
  }

  @Test
  public void partsRealDocumentsSometimesLackAreOptional() throws Exception {
    AudioAnalysis minimal = parse("t1", "{\"track\": {\"duration\": 12.5}}");
    assertNull(minimal.getMeta());
    assertNull(minimal.getTrack().getTempo());
    assertTrue(minimal.getBars().isEmpty() && minimal.getBeats().isEmpty() && minimal.getTatums().isEmpty()
        && minimal.getSections().isEmpty() && minimal.getSegments().isEmpty());
    AudioAnalysis noTatums = parse("t1", SMALL.replaceFirst("\"tatums\": \\[[^]]*\\],", "")
        .replaceFirst("\"meta\": \\{[^}]*\\}\\},", ""));
    assertTrue(noTatums.getTatums().isEmpty());
    assertNull(noTatums.getMeta());
    assertEquals(1, noTatums.getSegments().size());
    assertEquals("nulls count as absent", parse("t1", SMALL), parse("t1", SMALL.replace("{\"meta\"",
        "{\"extra_null\": null, \"meta\"").replace("\"sample_md5\": \"\"", "\"sample_md5\": \"\", \"offset_seconds\": null")));
  }

  @Test
  public void unknownFieldsAreSkipped() throws Exception {
    String extra = SMALL.replace("{\"meta\"", "{\"analysis_url\": \"https://x\", \"more\": {\"a\": [1, {\"b\": 2}]}, "
        + "\"meta\"").replace("\"loudness_end\": 0,", "\"loudness_end\": 0, \"unknown\": [1, 2],");
    assertEquals(parse("t1", SMALL), parse("t1", extra));
  }

  @Test
  public void theTrackIdComesFromTheDump() throws Exception {
    assertEquals(parse("t1", SMALL), parse("t1", "{\"track_id\": \"t1\", " + SMALL.substring(1)));
    assertRefused(AnalysisDocuments.WRONG_TRACK_ID, "track_id is 't2', the dump says 't1'",
        "{\"track_id\": \"t2\", " + SMALL.substring(1));
    assertRefused(AnalysisDocuments.WRONG_TRACK_ID, "meta.track_id is 't2', the dump says 't1'",
        SMALL.replace("\"meta\": {", "\"meta\": {\"track_id\": \"t2\", "));
  }

  @Test
  public void damageIsRefusedWithAReasonNamingThePlace() {
    assertRefused(AnalysisDocuments.EMPTY_DOCUMENT, "no content", "");
    assertRefused(AnalysisDocuments.EMPTY_DOCUMENT, "no content", "  \n ");
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, null, SMALL.substring(0, SMALL.length() / 2));
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, "not a JSON object but START_ARRAY", "[" + SMALL + "]");
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, "not a JSON object but VALUE_STRING", "\"analysis\"");
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, "content after the JSON object", SMALL + " {}");
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "no track object", "{\"segments\": []}");
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "track.duration is missing", "{\"track\": {\"tempo\": 1}}");
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "track.tempo is not a number: fast",
        SMALL.replace("\"tempo\": 120.5", "\"tempo\": \"fast\""));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "track.key is not an integer: 5.5",
        SMALL.replace("\"key\": 5, \"mode\": 1,", "\"key\": 5.5, \"mode\": 1,"));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "segments is not an array",
        SMALL.replace("\"segments\": [", "\"segments\": {\"x\": [").replace("]}]}", "]}]}}"));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, "segments[0].loudness_max is missing",
        SMALL.replace("\"loudness_max\": -10.5,", ""));
    assertRefused(AnalysisDocuments.BAD_SEGMENT, "segments[0].pitches has 11 numbers, not 12",
        SMALL.replace("\"pitches\": [1, ", "\"pitches\": ["));
    assertRefused(AnalysisDocuments.BAD_SEGMENT, "segments[0].timbre has 13 numbers, not 12",
        SMALL.replace("\"timbre\": [", "\"timbre\": [0, "));
    assertRefused(AnalysisDocuments.BAD_SEGMENT, "segments[0].timbre[0] is not a number: x",
        SMALL.replace("\"timbre\": [42.1", "\"timbre\": [\"x\""));
    assertRefused(AnalysisDocuments.BAD_SEGMENT, "segments[0] has no timbre",
        SMALL.replace(", \"timbre\": [42.1, -10.5, 3.25, 1, 2, 3, 4, 5, 6, 7, 8, -9.5]", ""));
    assertRefused(AnalysisDocuments.NON_FINITE_NUMBER, "segments[0].loudness_max is NaN",
        SMALL.replace("\"loudness_max\": -10.5", "\"loudness_max\": NaN"));
    assertRefused(AnalysisDocuments.NON_FINITE_NUMBER, "track.loudness is -Infinity",
        SMALL.replace("\"loudness\": -7.25", "\"loudness\": -Infinity"));
    assertRefused(AnalysisDocuments.NON_FINITE_NUMBER, "segments[0].pitches[1] is 1.0E39 (beyond a float)",
        SMALL.replace("\"pitches\": [1, 0.5", "\"pitches\": [1, 1e39"));
    assertRefused(AnalysisDocuments.NON_FINITE_NUMBER, "track.duration is 1e999",
        SMALL.replace("\"duration\": 210.0, \"sample_md5\"", "\"duration\": 1e999, \"sample_md5\""));
    assertRefused(AnalysisDocuments.NEGATIVE_DURATION, "track.duration is -210.0",
        SMALL.replace("\"duration\": 210.0, \"sample_md5\"", "\"duration\": -210.0, \"sample_md5\""));
    assertRefused(AnalysisDocuments.NEGATIVE_DURATION, "beats[0].duration is -0.5",
        SMALL.replace("\"duration\": 0.5,", "\"duration\": -0.5,"));
    assertRefused(AnalysisDocuments.NEGATIVE_DURATION, "segments[0].duration is -0.3",
        SMALL.replace("\"duration\": 0.3,", "\"duration\": -0.3,"));
  }

  @Test
  public void generatedDamageIsRefused() {
    Random random = new Random(3);
    String[] reasons = {AnalysisDocuments.UNPARSABLE_DOCUMENT, AnalysisDocuments.UNPARSABLE_DOCUMENT,
        AnalysisDocuments.EMPTY_DOCUMENT, AnalysisDocuments.WRONG_TRACK_ID, AnalysisDocuments.BAD_SEGMENT,
        AnalysisDocuments.NON_FINITE_NUMBER, AnalysisDocuments.NEGATIVE_DURATION, AnalysisDocuments.INVALID_DOCUMENT};
    for (int kind = 0; kind < reasons.length; kind++) {
      byte[] damaged = TrackDocumentsGenerator.damage(kind, "t1", SyntheticAnalysis.generate(random, 20), random);
      try {
        AnalysisDocuments.parse("t1", damaged);
        fail("damage " + kind + " accepted");
      } catch (AnalysisDocuments.InvalidDocumentException e) {
        assertEquals("damage " + kind + ": " + e.getMessage(), reasons[kind], e.reason());
      }
    }
  }

  @Test
  public void anOversizedBodyIsNeverReadPastTheLimit() throws Exception {
    long[] served = {0};
    InputStream endless = new InputStream() { // 1 GB of spaces, counting what was read
      @Override
      public int read() {
        return served[0]++ < (1L << 30) ? ' ' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        int n = (int) Math.min(len, (1L << 30) - served[0]);
        java.util.Arrays.fill(b, off, off + n, (byte) ' ');
        served[0] += n;
        return n == 0 ? -1 : n;
      }
    };
    byte[] read = FetchDocumentsFn.readAtMost(endless, (16L << 20) + 1);
    assertEquals((16L << 20) + 1, read.length);
    assertEquals((16L << 20) + 1, served[0]);
    assertEquals(5, FetchDocumentsFn.readAtMost(new ByteArrayInputStream("short".getBytes()), 100).length);
  }

  @Test
  public void aBodyIsReadWholeWhateverItsContentLengthSays() throws Exception {
    byte[] body = new byte[200_000];
    new java.util.Random(1).nextBytes(body);
    for (long expected : new long[] {-1, 0, 1, 70_000, 199_999, 200_000, 200_001, 1_000_000}) {
      byte[] read = FetchDocumentsFn.readAtMost(new ByteArrayInputStream(body), 16L << 20, Long.MAX_VALUE, expected);
      assertArrayEquals("Content-Length " + expected, body, read);
    }
    // the limit holds whatever the Content-Length: 100 bytes of a 200,000-byte body announced as 200,000
    assertArrayEquals(java.util.Arrays.copyOf(body, 100),
        FetchDocumentsFn.readAtMost(new ByteArrayInputStream(body), 100, Long.MAX_VALUE, 200_000));
  }

  private static AudioAnalysis parse(String id, String json) throws AnalysisDocuments.InvalidDocumentException {
    return AnalysisDocuments.parse(id, json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertRefused(String reason, String detail, String document) {
    try {
      parse("t1", document);
      fail("accepted: " + document);
    } catch (AnalysisDocuments.InvalidDocumentException e) {
      assertEquals(e.getMessage(), reason, e.reason());
      if (detail != null) {
        assertEquals(detail, e.getMessage());
      }
    }
  }
}

package io.nightjar.jobs.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.nightjar.avro.Analysis;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class AnalysisDocumentsTest {

  private static final String GOOD = "{\"track_id\": \"t1\", \"tempo\": 120.5, \"key\": 5, \"mode\": 1, "
      + "\"loudness\": -7.25, \"duration\": 210.0, \"acousticness\": 0.25, \"instrumentalness\": 0.5, "
      + "\"energy\": 0.75, \"extra\": [1, 2]}";

  @Test
  public void parsesTheFieldsNightjarKeeps() throws Exception {
    Analysis analysis = AnalysisDocuments.parse("t1", GOOD.getBytes(StandardCharsets.UTF_8));
    assertEquals(new Analysis(120.5, 5, 1, -7.25, 210.0, 0.25, 0.5, 0.75), analysis);
  }

  @Test
  public void refusesBadDocumentsWithAReason() {
    assertRefused(AnalysisDocuments.EMPTY_DOCUMENT, "");
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, "{\"track_id\": \"t1\", \"tempo\": 12");
    assertRefused(AnalysisDocuments.UNPARSABLE_DOCUMENT, "[1, 2, 3]");
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, GOOD.replace("\"t1\"", "\"t2\""));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, GOOD.replace("120.5", "\"fast\""));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, GOOD.replace("\"key\": 5", "\"key\": 5.5"));
    assertRefused(AnalysisDocuments.INVALID_DOCUMENT, GOOD.replace("\"energy\": 0.75, ", ""));
  }

  private static void assertRefused(String reason, String document) {
    try {
      AnalysisDocuments.parse("t1", document.getBytes(StandardCharsets.UTF_8));
      fail("accepted: " + document);
    } catch (AnalysisDocuments.InvalidDocumentException e) {
      assertEquals(document, reason, e.reason());
    }
  }
}

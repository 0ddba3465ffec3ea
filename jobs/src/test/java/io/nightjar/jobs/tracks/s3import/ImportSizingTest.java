package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** The import projection's arithmetic, on the full import's shape (35 M documents of 500 KB). */
public class ImportSizingTest {

  private static ImportSizing fullImport(int slots, int inFlight, double latencyMs) {
    return new ImportSizing(35_000_000L, 500_000L, 20, 60, slots, inFlight, latencyMs, 45.7, 80, 0.28, 256L << 20, 1);
  }

  @Test
  public void aTaskIsLimitedByItsCpuWhenManyRequestsAreInFlight() {
    ImportSizing sizing = fullImport(20, 32, 30);
    // CPU: 1000 / (45.7 * 0.5) = 43.76 documents/s; requests: 32 / (0.030 + 0.5 / 80) = 882.8/s.
    assertEquals(43.76, sizing.taskDocumentsPerSecond(), 0.01);
    assertEquals("CPU", sizing.taskLimit());
    assertEquals((20 * 60 + 35_000_000 / (20 * 43.76)) / 3600, sizing.hours(), 0.01); // 11.4 hours
    assertEquals(17.5e12, sizing.bytesOut(), 1);
    assertEquals(14.0, sizing.requestCostUsd(), 1e-9);
    assertEquals(1575.0, sizing.transferCostUsd(), 1e-6);
  }

  @Test
  public void aTaskIsLimitedByRequestsWhenFewAreInFlight() {
    ImportSizing sizing = fullImport(20, 1, 30);
    assertEquals(1 / 0.03625, sizing.taskDocumentsPerSecond(), 0.01);
    assertEquals("requests", sizing.taskLimit());
  }

  @Test
  public void allTasksTogetherAreLimitedByTheRequestRateOfAPrefix() {
    assertEquals(5_500, fullImport(1000, 32, 30).documentsPerSecond(), 1e-9);
    assertEquals(100 * 43.76, fullImport(100, 32, 30).documentsPerSecond(), 1);
  }

  @Test
  public void outputFilesAndNameNodeObjectsFollowTheTargetFileSize() {
    ImportSizing sizing = fullImport(20, 32, 30);
    long files = (long) Math.ceil(17.5e12 * 0.28 / (256L << 20)); // 18,257 files of 256 MiB
    assertEquals(files, sizing.files());
    assertEquals(files * 3, sizing.nameNodeObjects()); // each file and its two 128 MiB blocks
  }
}

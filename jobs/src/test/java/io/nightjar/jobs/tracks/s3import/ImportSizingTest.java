package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The import projection's arithmetic, on the full import's shape (35 M documents of 500 KB). */
public class ImportSizingTest {

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  /** 20 chunks, each stored document 140 KB (28% of 500 KB) as --expected-document-bytes says: 913 tasks a chunk. */
  private static ImportSizing fullImport(int slots, int inFlight, double latencyMs) {
    return new ImportSizing(35_000_000L, 500_000L, 140_000L, 20, 60, slots, inFlight, latencyMs, 45.7, 80, 0.28,
        256L << 20, 1);
  }

  @Test
  public void aTaskIsLimitedByItsCpuWhenManyRequestsAreInFlight() {
    ImportSizing sizing = fullImport(20, 32, 30);
    // CPU: 1000 / (45.7 * 0.5) = 43.76 documents/s; requests: 32 / (0.030 + 0.5 / 80) = 882.8/s.
    assertEquals(43.76, sizing.taskDocumentsPerSecond(), 0.01);
    assertEquals("CPU", sizing.taskLimit());
    // A chunk: 1.75 M ids x 140,000 bytes / 256 MiB = 913 tasks (1,917 documents each) in 46 waves of 20 slots.
    assertEquals(913, sizing.tasksPerChunk());
    assertEquals(20 * (60 + 46 * (1_750_000.0 / 913) / 43.76) / 3600, sizing.hours(), 0.01); // 11.5 hours
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

  /** Few slots for many tasks: the waves; many slots for a chunk of one task: one task's rate, not the slots'. */
  @Test
  public void aChunkRunsAsItsDownloadTasksInWavesOfTheSlots() {
    // 20,000 documents in 4 chunks, 50 KB each stored as 100 KB expected: 5,000 x 100,000 / 256 MiB = 2 tasks a chunk.
    ImportSizing twoTasks = new ImportSizing(20_000, 50_000, 100_000, 4, 3, 1, 32, 30, 40, 80, 0.28, 256L << 20, 1);
    assertEquals(2, twoTasks.tasksPerChunk());
    double task = 1000 / (40 * 0.05); // 500 documents/s
    assertEquals(4 * (3 + 2 * 2_500 / task), twoTasks.seconds(), 1e-9); // one slot: two waves
    ImportSizing twoSlots = new ImportSizing(20_000, 50_000, 100_000, 4, 3, 2, 32, 30, 40, 80, 0.28, 256L << 20, 1);
    assertEquals(4 * (3 + 2_500 / task), twoSlots.seconds(), 1e-9);
    ImportSizing manySlots = new ImportSizing(20_000, 50_000, 100_000, 4, 3, 20, 32, 30, 40, 80, 0.28, 256L << 20, 1);
    assertEquals(twoSlots.seconds(), manySlots.seconds(), 1e-9);
    assertEquals(2 * task, manySlots.documentsPerSecond(), 1e-9);
  }

  @Test
  public void outputFilesAndNameNodeObjectsFollowTheDownloadTasks() {
    ImportSizing sizing = fullImport(20, 32, 30);
    assertEquals(20 * 913, sizing.files()); // 18,260 files of 268 MB (4.9 TB packed)
    assertEquals(20 * 913 * 3, sizing.nameNodeObjects()); // each file and its two 128 MiB blocks
  }

  /** {@code s3-import --dry-run} projects the chunks it would run from the dump's lines and the sizing settings. */
  @Test
  public void dryRunPrintsTheProjectionOfItsChunks() throws Exception {
    dryRunPrintsTheProjectionOfItsChunks("dump.tsv");
  }

  /** A compressed dump's ids are its lines, not its bytes' newlines. */
  @Test
  public void dryRunCountsTheLinesOfACompressedDump() throws Exception {
    dryRunPrintsTheProjectionOfItsChunks("dump.tsv.gz");
  }

  /** No map slots would divide by zero: a usage error, one line. */
  @Test
  public void dryRunRefusesZeroMapSlots() throws Exception {
    File dump = tmp.newFile("dump.tsv");
    Files.write(dump.toPath(), "track-1\tanalysis/track-1.json\n".getBytes(StandardCharsets.UTF_8));
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.newFolder("root").getAbsolutePath());
    conf.setInt("nightjar.sizing.map-slots", 0);
    Printed printed = Printed.by(() -> Main.run(conf, "s3-import", "--dry-run", "--date", "2016-05-01", "--dump",
        dump.getAbsolutePath(), "--bucket", "analysis"));
    assertEquals(printed.toString(), 2, printed.status);
    assertTrue(printed.err, printed.err.contains("nightjar.sizing.map-slots and --target-file-mb must be at least 1"));
  }

  private void dryRunPrintsTheProjectionOfItsChunks(String name) throws Exception {
    File dump = tmp.newFile(name);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      lines.append("track-").append(i).append('\n');
    }
    byte[] text = lines.toString().getBytes(StandardCharsets.UTF_8);
    if (name.endsWith(".gz")) {
      try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dump.toPath()))) {
        out.write(text);
      }
    } else {
      Files.write(dump.toPath(), text);
    }
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.newFolder("root").getAbsolutePath());
    conf.setLong("nightjar.sizing.document-bytes", 200_000);
    conf.setInt("nightjar.sizing.map-slots", 2);
    Printed printed = Printed.by(() -> Main.run(conf, "s3-import", "--dry-run", "--date", "2016-05-01", "--dump",
        dump.getAbsolutePath(), "--bucket", "analysis", "--chunks", "4", "--chunk", "1"));
    assertEquals(printed.toString(), 0, printed.status);
    // One chunk of four: a quarter of the 1,000 lines, 200 KB each; CPU-bound at 1000 / (8.6 * 0.2) = 581 a task.
    assertTrue(printed.out, printed.out.contains("projection 1: 250 documents of 200,000 bytes on average: 50.0 MB "
        + "of JSON out of S3 in 250 GET requests"));
    assertTrue(printed.out, printed.out.contains("projection 2: a map task: 581 documents/s (CPU-bound"));
    // 250 ids x 100,000 expected bytes are one task's file: the second slot has nothing to do.
    assertTrue(printed.out, printed.out.contains("2 map slots: 581 documents/s"));
    assertTrue(printed.out, printed.out.contains("1 chunk(s) of 1 map task(s)"));
  }
}

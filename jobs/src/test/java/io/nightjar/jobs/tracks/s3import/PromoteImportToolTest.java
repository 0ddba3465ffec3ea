package io.nightjar.jobs.tracks.s3import;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.ImportFailure;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A finished bulk import becomes the first full snapshot by renames, refused while a chunk is incomplete. */
public class PromoteImportToolTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String DATE = "2016-05-01";
  private Configuration conf;
  private FileSystem fs;
  private String root;

  @Before
  public void setUp() throws IOException {
    conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    fs = FileSystem.getLocal(conf);
    root = tmp.getRoot().getAbsolutePath();
  }

  @Test
  public void allChunksBecomeTheFullSnapshotWithoutCopying() throws Exception {
    Set<String> imported = new HashSet<>();
    for (int k = 0; k < 2; k++) {
      Path day = chunkDay("analysis-import", k);
      assertEquals(0, io.nightjar.testkit.Main.run(conf, "generate-track-analysis", "--output", day.toString(), "--first-date", DATE,
          "--day", "1", "--tracks", "50", "--seed", Integer.toString(k)));
      fs.create(new Path(day, Dataset.SUCCESS_FLAG)).close();
      for (GenericRecord record : AvroFiles.readGeneric(fs, day)) {
        imported.add(k + ":" + record.get("trackId"));
      }
    }
    writeFailures(chunkDay("analysis-import-missing", 1), 3);

    assertEquals(0, run("--date", DATE, "--chunks", "2"));
    Path full = new Path(root, "tracks/analysis/full/" + DATE);
    assertTrue(fs.exists(new Path(full, Dataset.SUCCESS_FLAG)));
    assertEquals(imported.size(), AvroFiles.readGeneric(fs, full).size());
    assertEquals(0, fs.listStatus(chunkDay("analysis-import", 0), path -> path.getName().endsWith(".avro")).length);
    String accounting = new String(Files.readAllBytes(new File(full.toUri().getPath(),
        PromoteImportTool.ACCOUNTING_FILE).toPath()));
    assertTrue(accounting, accounting.contains("\"imported\": 100, \"quarantined\": 0, \"missing\": 3, \"failed\": 0"));
    assertTrue(fs.exists(new Path(chunkDay("analysis-import", 1), PromoteImportTool.PROMOTED_FLAG)));

    // A rerun (its first run killed before or after it published: the operator cannot tell) is done already: exit 0,
    // the full untouched. Before, it was refused with exit 1, so an operator's plain rerun looked like a failure.
    fs.delete(new Path(chunkDay("analysis-import", 1), PromoteImportTool.PROMOTED_FLAG), false); // killed before
    assertEquals("a rerun of the same promotion", 0, run("--date", DATE, "--chunks", "2"));
    assertEquals(imported.size(), AvroFiles.readGeneric(fs, full).size());
    assertTrue(fs.exists(new Path(chunkDay("analysis-import", 1), PromoteImportTool.PROMOTED_FLAG)));
    assertEquals("another promotion into the published full refuses", 1, run("--date", DATE, "--chunks", "3"));
  }

  @Test
  public void aPromotionKilledMidwayIsResumedWithoutLosingFiles() throws Exception {
    publishChunks(30);
    // As a run killed after moving chunk 0's files leaves it.
    Path moving = new Path(root, "tracks/analysis/full/_promoting-" + DATE + "/data");
    fs.mkdirs(moving);
    for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(chunkDay("analysis-import", 0),
        path -> path.getName().endsWith(".avro"))) {
      assertTrue(fs.rename(file.getPath(), new Path(moving, "chunk-0-of-2-" + file.getPath().getName())));
    }
    assertEquals(0, run("--date", DATE, "--chunks", "2"));
    assertEquals(60, AvroFiles.readGeneric(fs, new Path(root, "tracks/analysis/full/" + DATE)).size());
    assertFalse(fs.exists(new Path(root, "tracks/analysis/full/_promoting-" + DATE)));
    assertEquals("a rerun is done already", 0, run("--date", DATE, "--chunks", "2"));
    assertEquals("promoted once", 60, AvroFiles.readGeneric(fs, new Path(root, "tracks/analysis/full/" + DATE)).size());
  }

  @Test
  public void anIncompleteImportIsRefusedUnlessAccepted() throws Exception {
    Path chunk0 = chunkDay("analysis-import", 0);
    assertEquals(0, io.nightjar.testkit.Main.run(conf, "generate-track-analysis", "--output", chunk0.toString(), "--first-date", DATE,
        "--day", "1", "--tracks", "20"));
    fs.create(new Path(chunk0, Dataset.SUCCESS_FLAG)).close();
    writeFailures(chunkDay("analysis-import-failed", 0), 2);

    assertEquals(1, run("--date", DATE, "--chunks", "2"));
    assertFalse(fs.exists(new Path(root, "tracks/analysis/full/" + DATE)));
    assertEquals("nothing moved", 20, AvroFiles.readGeneric(fs, chunk0).size());

    assertEquals(0, run("--date", DATE, "--chunks", "2", "--accept-incomplete"));
    assertEquals(20, AvroFiles.readGeneric(fs, new Path(root, "tracks/analysis/full/" + DATE)).size());

    // Chunk 1 published after the promotion without it: a plain rerun must not say "done" and flag it promoted.
    Path chunk1 = chunkDay("analysis-import", 1);
    assertEquals(0, io.nightjar.testkit.Main.run(conf, "generate-track-analysis", "--output", chunk1.toString(), "--first-date", DATE,
        "--day", "1", "--tracks", "5", "--seed", "1"));
    fs.create(new Path(chunk1, Dataset.SUCCESS_FLAG)).close();
    assertEquals("refused: chunk 1 is not in the full", 1, run("--date", DATE, "--chunks", "2", "--accept-incomplete"));
    assertFalse(fs.exists(new Path(chunk1, PromoteImportTool.PROMOTED_FLAG)));
  }

  /**
   * A chunk whose published outcomes do not add up to its dump lines (what a --retry-failed of a refused run used to
   * publish: its downloads lost) is refused, the gap named; a chunk that adds up is promoted.
   */
  @Test
  public void aChunkWhoseOutcomesDoNotAddUpToItsDumpLinesIsRefused() throws Exception {
    publishChunks(20);
    writeFailures(chunkDay("analysis-import-missing", 1), 2);
    writeChunkAccounting(chunkDay("analysis-import", 0), 20, "");
    writeChunkAccounting(chunkDay("analysis-import", 1), 59, "skipped.DUPLICATE_ID=2\n"); // 20 + 2 + 2 of 59

    Printed refused = Printed.by(() -> run("--date", DATE, "--chunks", "2"));
    assertEquals(refused.toString(), 1, refused.status);
    assertTrue(refused.err, refused.err.contains("chunk 1 accounts for 24 of its 59 dump lines (imported 20, "
        + "quarantined 0, missing 2, failed 0, skipped {DUPLICATE_ID=2}): 35 lines lost; rerun the chunk"));
    assertFalse(fs.exists(new Path(root, "tracks/analysis/full/" + DATE)));

    writeChunkAccounting(chunkDay("analysis-import", 1), 24, "skipped.DUPLICATE_ID=2\n");
    assertEquals(0, run("--date", DATE, "--chunks", "2"));
    assertEquals(40, AvroFiles.readGeneric(fs, new Path(root, "tracks/analysis/full/" + DATE)).size());
  }

  private void writeChunkAccounting(Path day, long dumpLines, String skipped) throws IOException {
    try (java.io.OutputStream out = fs.create(new Path(day, ChunkAccounting.FILE), true)) {
      out.write(("dumpLines=" + dumpLines + "\n" + skipped).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Publishes chunks 0 and 1 of 2, {@code tracks} generated tracks each (seeded by the chunk). */
  private void publishChunks(int tracks) throws IOException {
    for (int k = 0; k < 2; k++) {
      Path day = chunkDay("analysis-import", k);
      assertEquals(0, io.nightjar.testkit.Main.run(conf, "generate-track-analysis", "--output", day.toString(), "--first-date", DATE,
          "--day", "1", "--tracks", Integer.toString(tracks), "--seed", Integer.toString(k)));
      fs.create(new Path(day, Dataset.SUCCESS_FLAG)).close();
    }
  }

  private int run(String... args) {
    String[] full = new String[args.length + 3];
    full[0] = "promote-import";
    full[1] = "--root";
    full[2] = root;
    System.arraycopy(args, 0, full, 3, args.length);
    return Main.run(conf, full);
  }

  private Path chunkDay(String dataset, int k) {
    return new Path(root, "tracks/" + dataset + "/chunk-" + k + "-of-2/" + DATE);
  }

  private void writeFailures(Path day, int n) throws IOException {
    fs.mkdirs(day);
    try (DataFileWriter<ImportFailure> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ImportFailure.class))) {
      writer.create(ImportFailure.getClassSchema(), fs.create(new Path(day, "part-0.avro")));
      for (int i = 0; i < n; i++) {
        writer.append(new ImportFailure("t" + i, "k" + i, "FAILED", 503, "SlowDown", 3));
      }
    }
    fs.create(new Path(day, Dataset.SUCCESS_FLAG)).close();
  }
}

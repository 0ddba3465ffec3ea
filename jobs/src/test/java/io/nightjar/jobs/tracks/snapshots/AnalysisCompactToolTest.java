package io.nightjar.jobs.tracks.snapshots;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** analysis-compact on a day whose delivery is already a full snapshot (a compaction weekday that got a full). */
public class AnalysisCompactToolTest {

  @Rule
  public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void aDeliveredFullIsNeverReplacedByAMergeOfOlderData() throws Exception {
    File root = folder.newFolder("root");
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    conf.set("mapreduce.framework.name", "local");
    conf.set(Dataset.ROOT_KEY, root.getAbsolutePath());
    File older = new File(root, "tracks/analysis/full/2016-05-01");
    File today = new File(root, "tracks/analysis/full/2016-05-08");
    assertEquals(0, io.nightjar.testkit.Main.run(new Configuration(conf), "generate-track-analysis", "--output", older.getPath(),
        "--first-date", "2016-05-01", "--day", "1", "--tracks", "50"));
    assertEquals(0, io.nightjar.testkit.Main.run(new Configuration(conf), "generate-track-analysis", "--output", today.getPath(),
        "--first-date", "2016-05-08", "--day", "1", "--tracks", "80", "--seed", "7"));
    Files.write(new File(older, Dataset.SUCCESS_FLAG).toPath(), new byte[0]);
    Files.write(new File(today, Dataset.SUCCESS_FLAG).toPath(), new byte[0]);
    File delivered = today.listFiles((dir, name) -> name.endsWith(".avro"))[0];
    byte[] before = Files.readAllBytes(delivered.toPath());

    int status = Main.run(new Configuration(conf), "analysis-compact", "--date", "2016-05-08", "--keep-days", "1");

    assertEquals(0, status);
    assertTrue(delivered.exists());
    assertEquals(new String(before, StandardCharsets.ISO_8859_1),
        new String(Files.readAllBytes(delivered.toPath()), StandardCharsets.ISO_8859_1));
    // Retention ran and kept the older full: yesterday's view (keep-days 1) still reads it.
    assertTrue(older.exists());
  }
}

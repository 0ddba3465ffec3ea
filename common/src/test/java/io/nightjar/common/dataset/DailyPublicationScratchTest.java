package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A run's scratch, Crunch's temporary files included, lives in its day's work folder: removed when the run ends, and
 * by the next run of the day when a run was killed first (before, Crunch's {@code crunch-*} folders stayed in
 * {@code /tmp} after a kill).
 */
public class DailyPublicationScratchTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void crunchsTemporaryFilesGoToTheRunsWorkFolderWhichNoRunLeaves() throws IOException {
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.getRoot().getPath());
    FileSystem fs = FileSystem.getLocal(conf);
    Dataset dataset = Dataset.of(conf, "p", "d");
    LocalDate day = LocalDate.parse("2016-05-01");
    Path deadRun = new Path(dataset.path(), "_work-2016-05-01-dead/crunch/crunch-1/p1/part-m-00000");
    fs.create(deadRun).close();
    Path otherDay = new Path(dataset.path(), "_work-2016-05-02-live/crunch");
    fs.mkdirs(otherDay);

    Path work;
    try (DailyPublication publication = DailyPublication.begin(conf, dataset, day)) {
      work = publication.workDir();
      assertFalse("a dead run's work folder of the day is removed", fs.exists(deadRun.getParent()));
      assertTrue("another day's is not", fs.exists(otherDay));
      String tmpDir = publication.pipelineConf(conf).get(DailyPublication.CRUNCH_TMP_DIR_KEY);
      assertEquals(new Path(work, "crunch").toString(), tmpDir);
      assertEquals("the caller's configuration is not changed", null, conf.get(DailyPublication.CRUNCH_TMP_DIR_KEY));
      fs.create(new Path(tmpDir, "crunch-2/p1/part-m-00000")).close();
    }
    assertFalse("the run's own work folder is removed when it ends", fs.exists(work));
  }
}

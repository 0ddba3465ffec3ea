package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** The dataset layout and atomic publishing, on the local file system. */
public class PublicationTest {

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");
  private Configuration conf;
  private FileSystem fs;
  private Dataset dataset;

  @Before
  public void setUp() throws IOException {
    conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.getRootFileName());
    fs = FileSystem.getLocal(conf);
    dataset = Dataset.of(conf, "sensors", "readings");
  }

  @Test
  public void layoutIsRootProjectDatasetDay() {
    assertEquals(new Path(fs.makeQualified(new Path(tmp.getRootFileName())), "sensors/readings/2016-05-01"),
        dataset.dayPath(DAY));
    assertEquals("_quarantine", dataset.quarantinePath(DAY).getParent().getName());
  }

  @Test(expected = IllegalArgumentException.class)
  public void refusesNamesThatEscapeTheLayout() throws IOException {
    Dataset.of(conf, "sensors", "../other");
  }

  @Test
  public void publishedFolderAppearsWithItsFlagInOneStep() throws IOException {
    Publication publication = Publication.begin(fs, dataset.dayPath(DAY));
    write(new Path(publication.stagingDir(), "part-0"), "a");
    assertFalse(fs.exists(dataset.dayPath(DAY)));
    assertEquals(Optional.empty(), dataset.latestPublished(fs));

    publication.commit();
    assertTrue(dataset.isPublished(fs, DAY));
    assertEquals("a", read(new Path(dataset.dayPath(DAY), "part-0")));
    assertFalse("staging is gone", fs.exists(publication.stagingDir()));
  }

  @Test
  public void rerunReplacesTheDayAndKeepsTheOldOneAsideForItsReaders() throws IOException {
    publish(DAY, "part-0", "old");
    publish(DAY, "part-1", "new");
    FileStatus[] files = fs.listStatus(dataset.dayPath(DAY));
    assertEquals(2, files.length); // part-1 and _SUCCESS, nothing of the old run
    assertEquals("new", read(new Path(dataset.dayPath(DAY), "part-1")));
    FileStatus[] aside = fs.listStatus(dataset.path(), path -> path.getName().startsWith("_superseded-2016-05-01-"));
    assertEquals(1, aside.length);
    assertEquals("old", read(new Path(aside[0].getPath(), "part-0")));
    assertEquals(Arrays.asList(DAY), dataset.publishedDays(fs));

    publish(DAY, "part-2", "newer");
    assertEquals("still within the grace period", 2, fs.listStatus(dataset.path(),
        path -> path.getName().startsWith("_superseded-")).length);
  }

  @Test
  public void expiredSupersededFoldersOfAnyDayAreRemovedByALaterPublication() throws IOException {
    publish(DAY, "part-0", "old");
    publish(DAY, "part-0", "new");
    conf.setInt(Publication.GRACE_HOURS_KEY, 0);
    fs = FileSystem.newInstance(fs.getUri(), conf);
    publish(LocalDate.parse("2016-05-02"), "part-0", "other day");
    assertEquals(0, fs.listStatus(dataset.path(), path -> path.getName().startsWith("_superseded-")).length);
    assertEquals("new", read(new Path(dataset.dayPath(DAY), "part-0")));
  }

  @Test
  public void abortedRunLeavesThePublishedDayAsItWas() throws IOException {
    publish(DAY, "part-0", "old");
    try (Publication failed = Publication.begin(fs, dataset.dayPath(DAY))) {
      write(new Path(failed.stagingDir(), "part-0"), "half");
    }
    assertEquals("old", read(new Path(dataset.dayPath(DAY), "part-0")));
    assertEquals(1, fs.listStatus(dataset.path()).length);
  }

  @Test
  public void interruptedRunsAreInvisibleAndCleanedUpByTheNext() throws IOException {
    // A run killed before commit leaves its staging folder; one killed between the two renames of a replace leaves
    // the previous day aside and no day folder.
    write(new Path(dataset.path(), "_staging-2016-05-01-dead0001/part-0"), "half");
    write(new Path(dataset.path(), "_superseded-2016-05-01-dead0002/part-0"), "previous");
    fs.create(new Path(dataset.path(), "_superseded-2016-05-01-dead0002/_SUCCESS")).close();
    write(new Path(dataset.path(), "2016-05-02/part-0"), "no flag: not published");
    assertEquals(Optional.empty(), dataset.latestPublished(fs));

    Publication next = Publication.begin(fs, dataset.dayPath(DAY));
    assertEquals("the day left aside is restored", "previous", read(new Path(dataset.dayPath(DAY), "part-0")));
    assertFalse(fs.exists(new Path(dataset.path(), "_staging-2016-05-01-dead0001")));
    assertEquals(Optional.of(DAY), dataset.latestPublished(fs));
    next.abort();
  }

  @Test
  public void theOnlyCopyOfADayLeftAsideIsNeverExpired() throws IOException {
    write(new Path(dataset.path(), "_superseded-2016-05-01-1000-dead0003/part-0"), "only copy");
    conf.setInt(Publication.GRACE_HOURS_KEY, 0);
    fs = FileSystem.newInstance(fs.getUri(), conf);
    publish(LocalDate.parse("2016-05-02"), "part-0", "another day");
    assertTrue(fs.exists(new Path(dataset.path(), "_superseded-2016-05-01-1000-dead0003")));
    assertEquals("2016-05-01", Publication.supersededTarget("_superseded-2016-05-01-1000-dead0003"));
  }

  @Test
  public void findsTheLatestPublishedDay() throws IOException {
    publish(LocalDate.parse("2016-04-29"), "p", "x");
    publish(LocalDate.parse("2016-05-03"), "p", "x");
    publish(DAY, "p", "x");
    assertEquals(Arrays.asList(LocalDate.parse("2016-04-29"), DAY, LocalDate.parse("2016-05-03")),
        dataset.publishedDays(fs));
    assertEquals(Optional.of(LocalDate.parse("2016-05-03")), dataset.latestPublished(fs));
    assertEquals(Optional.of(DAY), dataset.latestPublishedOnOrBefore(fs, LocalDate.parse("2016-05-02")));
    assertEquals(Optional.empty(), dataset.latestPublishedOnOrBefore(fs, LocalDate.parse("2016-04-28")));
  }

  private void publish(LocalDate day, String file, String content) throws IOException {
    Publication publication = Publication.begin(fs, dataset.dayPath(day));
    write(new Path(publication.stagingDir(), file), content);
    publication.commit();
  }

  private void write(Path path, String content) throws IOException {
    try (FSDataOutputStream out = fs.create(path, true)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private String read(Path path) throws IOException {
    try (java.io.InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.common.tool.JobFailedException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDate;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** One run per dataset-day: refused, waiting, and stale leases, on the local file system. */
public class DatasetLeaseTest {

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
    dataset = Dataset.of(conf, "sensors", "sensor-averages-day");
  }

  @Test
  public void aSecondRunOfTheDayIsRefusedNamingTheHolder() throws IOException {
    try (DatasetLease first = DatasetLease.acquire(conf, dataset, DAY)) {
      try {
        DatasetLease.acquire(conf, dataset, DAY);
        fail("a second lease on the same day");
      } catch (JobFailedException e) {
        assertTrue(e.getMessage(), e.getMessage().startsWith(
            "sensor-averages-day 2016-05-01 is being published by another run (run "));
        assertTrue(e.getMessage(), e.getMessage().contains(" pid " + ProcessHandle.current().pid() + ", started "));
      }
      DatasetLease.acquire(conf, dataset, DAY.plusDays(1)).close(); // another day is free
    }
    DatasetLease.acquire(conf, dataset, DAY).close(); // released
    assertFalse(fs.exists(new Path(dataset.path(), "_leases/2016-05-01")));
  }

  @Test
  public void aRunCanWaitForTheHolder() throws Exception {
    DatasetLease first = DatasetLease.acquire(conf, dataset, DAY);
    conf.setInt(DatasetLease.WAIT_SECONDS_KEY, 60);
    CompletableFuture<DatasetLease> second = CompletableFuture.supplyAsync(() -> {
      try {
        return DatasetLease.acquire(conf, dataset, DAY);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(500);
    assertFalse("waits while the first holds it", second.isDone());
    first.close();
    second.get(30, TimeUnit.SECONDS).close();
  }

  @Test
  public void aLeaseWhoseProcessEndedIsTakenOver() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    writeLease("pid", Long.toString(ended.pid()), "started", Long.toString(System.currentTimeMillis()));
    DatasetLease.acquire(conf, dataset, DAY).close();
  }

  @Test
  public void aLeaseOlderThanTheLimitIsTakenOver() throws Exception {
    writeLease("pid", Long.toString(ProcessHandle.current().pid()),
        "started", Long.toString(System.currentTimeMillis() - 25 * 3_600_000L));
    DatasetLease.acquire(conf, dataset, DAY).close();
    conf.setInt(DatasetLease.MAX_AGE_HOURS_KEY, 48);
    writeLease("pid", Long.toString(ProcessHandle.current().pid()),
        "started", Long.toString(System.currentTimeMillis() - 25 * 3_600_000L));
    try {
      DatasetLease.acquire(conf, dataset, DAY);
      fail("a live holder within the limit");
    } catch (JobFailedException expected) {
      assertTrue(expected.getMessage().contains("is being published by another run"));
    }
  }

  /** A run killed between creating its lease and writing it: the day is free again after a few minutes. */
  @Test
  public void anEmptyOrHalfWrittenLeaseIsStaleAfterTheGrace() throws Exception {
    Path lease = new Path(dataset.path(), "_leases/2016-05-01");
    for (String content : new String[] {"", "#nightjar lease\nrun=ab12\nhost=gw1\nsta", "\u0000\u0001garbage"}) {
      try (OutputStream out = fs.create(lease, true)) {
        out.write(content.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      try {
        DatasetLease.acquire(conf, dataset, DAY);
        fail("a lease file written just now may belong to a run writing it: " + content);
      } catch (JobFailedException expected) {
        assertTrue(expected.getMessage(), expected.getMessage().contains("(a lease file naming no holder)"));
      }
      fs.setTimes(lease, System.currentTimeMillis() - 301_000L, -1);
      DatasetLease.acquire(conf, dataset, DAY).close();
      assertFalse(fs.exists(lease));
    }
  }

  @Test
  public void theApplicationIsNamedWhenTheRunIsAYarnContainer() {
    Properties holder = new Properties();
    holder.setProperty("run", "r1");
    holder.setProperty("user", "etl");
    holder.setProperty("host", "gw1");
    holder.setProperty("pid", "42");
    holder.setProperty("started", "0");
    holder.setProperty("application", "application_1795937883377_0003");
    assertEquals("run r1 of etl@gw1 pid 42, started 1970-01-01T00:00:00Z, application_1795937883377_0003",
        DatasetLease.describe(holder));
  }

  private void writeLease(String... keyValues) throws IOException {
    Properties holder = DatasetLease.holder();
    for (int i = 0; i < keyValues.length; i += 2) {
      holder.setProperty(keyValues[i], keyValues[i + 1]);
    }
    try (OutputStream out = fs.create(new Path(dataset.path(), "_leases/2016-05-01"), true)) {
      holder.store(out, null);
    }
  }
}

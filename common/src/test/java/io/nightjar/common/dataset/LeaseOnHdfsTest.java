package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.common.tool.JobFailedException;
import java.io.File;
import java.nio.file.Files;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.Test;

/**
 * A run killed while creating its lease file on HDFS leaves the file under construction, held by a client that is
 * gone: the next run reads it as a lease naming no holder (refused within the grace, taken over after it), not as an
 * {@code AlreadyBeingCreatedException} (before: the rerun failed with that, found by the soak run).
 */
public class LeaseOnHdfsTest {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  @Test
  public void aLeaseFileLeftUnderConstructionIsALeaseNamingNoHolder() throws Exception {
    Configuration base = new Configuration();
    File dir = Files.createTempDirectory(new File("target").toPath(), "minidfs").toFile();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.getAbsolutePath());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    try {
      cluster.waitActive();
      Configuration conf = new Configuration(cluster.getConfiguration(0));
      conf.set(Dataset.ROOT_KEY, "/nightjar");
      Dataset dataset = Dataset.of(conf, "tracks", "attributes");
      Path leaseFile = new Path(new Path(dataset.path(), DatasetLease.LEASE_DIR), DAY.toString());
      // The killed run: another HDFS client that created the file and never closed it.
      FileSystem killed = FileSystem.newInstance(conf);
      FSDataOutputStream neverClosed = killed.create(leaseFile, false);
      assertTrue(neverClosed != null);

      try {
        DatasetLease.acquire(conf, dataset, DAY).close();
        fail("a lease file just created by another run must refuse the day within the grace");
      } catch (JobFailedException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("is being published by another run (run (a lease file "
            + "naming no holder)"));
      }
      Configuration noGrace = new Configuration(conf);
      noGrace.setInt(DatasetLease.UNWRITTEN_GRACE_SECONDS_KEY, 0);
      Thread.sleep(1_100); // older than the grace of 0 s, to the second
      try (DatasetLease lease = DatasetLease.acquire(noGrace, dataset, DAY)) {
        assertEquals("the lease is this run's now", 1, cluster.getFileSystem().listStatus(leaseFile.getParent()).length);
      }
    } finally {
      cluster.shutdown(true);
    }
  }
}

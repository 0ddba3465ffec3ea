package io.nightjar.common.dataset;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.Test;

/**
 * On a real (in-process) HDFS: a downstream reader that opened a file of a day before a rerun replaced that day reads
 * the file whole afterwards, because the old day is kept aside for the grace period instead of being deleted (its
 * blocks stay on the DataNodes; the reader located them when it opened the file, up to
 * {@code dfs.client.read.prefetch.size}, 10 blocks by default).
 */
public class RerunWhileReadingTest {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");
  private static final int BLOCK = 1 << 20;

  @Test
  public void aReaderOfTheReplacedDayReadsItsFileWhole() throws Exception {
    Configuration base = new Configuration();
    File dir = Files.createTempDirectory(new File("target").toPath(), "minidfs").toFile();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.getAbsolutePath());
    base.setLong("dfs.blocksize", BLOCK);
    base.setInt("dfs.heartbeat.interval", 1);
    base.setInt("dfs.namenode.redundancy.interval.seconds", 1);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    try {
      cluster.waitActive();
      Configuration conf = new Configuration(cluster.getConfiguration(0));
      conf.set(Dataset.ROOT_KEY, "/nightjar");
      FileSystem fs = cluster.getFileSystem();
      Dataset dataset = Dataset.of(conf, "tracks", "attributes");
      byte[] old = pattern(6 * BLOCK, 1);
      publish(fs, dataset, old);

      byte[] seen = new byte[old.length];
      try (FSDataInputStream reader = fs.open(new Path(dataset.dayPath(DAY), "part-0"))) {
        reader.readFully(0, seen, 0, BLOCK / 2);
        publish(fs, dataset, pattern(BLOCK, 2)); // the rerun
        // A deleted file's blocks are invalidated on the DataNode within a few heartbeats; wait for that.
        Thread.sleep(6000);
        reader.readFully(BLOCK / 2, seen, BLOCK / 2, old.length - BLOCK / 2);
      }
      assertArrayEquals(old, seen);
      assertEquals(BLOCK, fs.getFileStatus(new Path(dataset.dayPath(DAY), "part-0")).getLen());
    } finally {
      cluster.shutdown(true);
    }
  }

  private static void publish(FileSystem fs, Dataset dataset, byte[] content) throws IOException {
    Publication publication = Publication.begin(fs, dataset.dayPath(DAY));
    try (FSDataOutputStream out = fs.create(new Path(publication.stagingDir(), "part-0"))) {
      out.write(content);
    }
    publication.commit();
  }

  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed * 7 + (i >>> 10));
    }
    return bytes;
  }
}

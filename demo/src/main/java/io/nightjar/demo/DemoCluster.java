package io.nightjar.demo;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import io.nightjar.testkit.local.LocalSpeed;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * What the daily chain runs on in the demo and its integration test: an in-process HDFS (MapReduce in local mode,
 * {@code nightjar.root=/nightjar}) and a loopback S3 server, with the configuration that points nightjar's tools at
 * both. Closing it stops both and deletes the HDFS folder.
 */
public final class DemoCluster implements AutoCloseable {

  public final FileSystem fs;
  public final Configuration conf;
  private LoopbackS3 s3;
  private final File s3Dir;
  private final MiniDFSCluster cluster;
  private final File hdfsDir;

  private DemoCluster(File hdfsDir, MiniDFSCluster cluster, LoopbackS3 s3, File s3Dir) throws IOException {
    this.hdfsDir = hdfsDir;
    this.cluster = cluster;
    this.s3 = s3;
    this.s3Dir = s3Dir;
    this.fs = cluster.getFileSystem();
    this.conf = new Configuration(cluster.getConfiguration(0));
    conf.set("mapreduce.framework.name", "local");
    LocalSpeed.apply(conf); // the test kit's file system and polls, for every tool the demo runs
    conf.set(Dataset.ROOT_KEY, "/nightjar");
    conf.set(S3Access.ENDPOINT, s3.endpoint());
    conf.setBoolean(S3Access.PATH_STYLE, true);
    // The loopback server's fixed test keys, set in memory; on a cluster use a credential provider.
    conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
    conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
  }

  /** Starts both; the HDFS keeps its files in a new temporary folder named {@code prefix...}, S3 in memory. */
  public static DemoCluster start(String prefix) throws IOException {
    return start(prefix, false);
  }

  /**
   * Starts both; with {@code s3OnDisk} the S3 server keeps its objects in the HDFS folder, so it can be stopped and
   * started again ({@link #stopS3}, {@link #startS3}) with its objects, as a soak run does.
   */
  public static DemoCluster start(String prefix, boolean s3OnDisk) throws IOException {
    File hdfsDir = Files.createTempDirectory(prefix).toFile();
    Configuration base = new Configuration();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsDir.getAbsolutePath());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    try {
      cluster.waitActive();
      File s3Dir = s3OnDisk ? new File(hdfsDir, "s3") : null;
      return new DemoCluster(hdfsDir, cluster, LoopbackS3.start(s3Dir), s3Dir);
    } catch (IOException | RuntimeException e) {
      cluster.shutdown(true);
      FileUtil.fullyDelete(hdfsDir);
      throw e;
    }
  }

  /** The S3 server (the same endpoint after a restart). */
  public LoopbackS3 s3() {
    return s3;
  }

  /** Stops the S3 server: requests are refused until {@link #startS3}. */
  public synchronized void stopS3() {
    s3.close();
  }

  /** Starts the S3 server again on its port, with the objects it had (only when started with S3 on disk). */
  public synchronized void startS3() throws IOException {
    if (s3Dir == null) {
      throw new IllegalStateException("S3 keeps its objects in memory: start the cluster with S3 on disk");
    }
    s3 = LoopbackS3.start(s3Dir, s3.port());
  }

  @Override
  public void close() {
    s3.close();
    cluster.shutdown(true);
    FileUtil.fullyDelete(hdfsDir);
  }
}

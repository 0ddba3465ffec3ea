package io.nightjar.demo;

import io.nightjar.common.Dataset;
import io.nightjar.common.S3Access;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
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
  public final LoopbackS3 s3;
  private final MiniDFSCluster cluster;
  private final File hdfsDir;

  private DemoCluster(File hdfsDir, MiniDFSCluster cluster, LoopbackS3 s3) throws IOException {
    this.hdfsDir = hdfsDir;
    this.cluster = cluster;
    this.s3 = s3;
    this.fs = cluster.getFileSystem();
    this.conf = new Configuration(cluster.getConfiguration(0));
    conf.set("mapreduce.framework.name", "local");
    conf.set(Dataset.ROOT_KEY, "/nightjar");
    conf.set(S3Access.ENDPOINT, s3.endpoint());
    conf.setBoolean(S3Access.PATH_STYLE, true);
    // The loopback server's fixed test keys, set in memory; on a cluster use a credential provider.
    conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
    conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
  }

  /** Starts both; the HDFS keeps its files in a new temporary folder named {@code prefix...}. */
  public static DemoCluster start(String prefix) throws IOException {
    File hdfsDir = Files.createTempDirectory(prefix).toFile();
    Configuration base = new Configuration();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsDir.getAbsolutePath());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    try {
      cluster.waitActive();
      return new DemoCluster(hdfsDir, cluster, LoopbackS3.start(null));
    } catch (IOException | RuntimeException e) {
      cluster.shutdown(true);
      FileUtil.fullyDelete(hdfsDir);
      throw e;
    }
  }

  @Override
  public void close() {
    s3.close();
    cluster.shutdown(true);
    FileUtil.fullyDelete(hdfsDir);
  }
}

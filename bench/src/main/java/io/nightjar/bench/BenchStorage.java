package io.nightjar.bench;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a benchmark's inputs and outputs live, for nightjar and Spark alike: {@code hdfs} (the default: an HDFS of
 * the benchmark's own, {@link BenchHdfs}, the storage a cluster reads) or {@code local} (the work folder on the local
 * file system, through the test kit's {@code NioLocalFileSystem} for nightjar, Hadoop's checksummed one for Spark: a
 * second table, labelled as such). Map and reduce tasks spill to local disk either way, as on a cluster.
 */
final class BenchStorage implements AutoCloseable {

  private final File workDir;
  private final int slots;
  private final BenchHdfs hdfs;

  private BenchStorage(File workDir, int slots, BenchHdfs hdfs) {
    this.workDir = workDir;
    this.slots = slots;
    this.hdfs = hdfs;
  }

  /** {@code kind} {@code hdfs} (starts it) or {@code local}; nightjar's runs get {@code slots} local slots. */
  static BenchStorage open(String kind, File workDir, int slots) throws IOException, InterruptedException {
    switch (kind) {
      case "hdfs":
        return new BenchStorage(workDir, slots, BenchHdfs.start(workDir));
      case "local":
        return new BenchStorage(workDir, slots, null);
      default:
        throw new IllegalArgumentException("--storage must be hdfs or local, not " + kind);
    }
  }

  /** How the tables name it. */
  String label() {
    return hdfs == null ? "local file system" : "HDFS (NameNode + DataNode in their own process)";
  }

  /** The settings of every nightjar run: local-mode MapReduce, datasets under {@link #root()}. */
  Map<String, String> settings() {
    return hdfs == null ? BenchSupport.localSettings(workDir, slots) : BenchSupport.hdfsSettings(workDir, slots, hdfs);
  }

  /** A configuration with {@link #settings()}. */
  Configuration conf() {
    Configuration conf = new Configuration();
    settings().forEach(conf::set);
    return conf;
  }

  /** The datasets' root. */
  Path root() {
    return path("root");
  }

  /** {@code relative} under the benchmark's storage: the work folder, or {@code /} on HDFS. */
  Path path(String relative) {
    return hdfs == null ? new Path(new File(workDir, relative).getAbsoluteFile().toURI()) : hdfs.path("/" + relative);
  }

  /** The file system of {@link #path}. */
  FileSystem fs() throws IOException {
    return hdfs == null ? FileSystem.getLocal(new Configuration()) : hdfs.fs();
  }

  /**
   * A local file or folder made available at {@code relative}: copied to HDFS, or, when local, where it already is
   * (which must then be {@link #path}{@code (relative)}).
   */
  Path put(File local, String relative) throws IOException {
    if (hdfs == null) {
      Path path = path(relative);
      if (!new Path(local.getAbsoluteFile().toURI()).equals(path)) {
        throw new IllegalArgumentException(local + " is not " + path);
      }
      return path;
    }
    return hdfs.put(local, "/" + relative);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (hdfs != null) {
      hdfs.close();
    }
  }
}

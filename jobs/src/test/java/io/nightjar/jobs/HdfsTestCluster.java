package io.nightjar.jobs;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.testkit.AvroRecords;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.rules.ExternalResource;

/**
 * An in-process HDFS for integration tests, with MapReduce in local mode reading and writing {@code hdfs://} paths
 * and {@code nightjar.root=/nightjar}; runs tools through {@link Main} (and the test kit's) as {@code hadoop jar} would. A JUnit rule: one
 * cluster for a test class is
 * <pre>  {@literal @}ClassRule public static final HdfsTestCluster hdfs = new HdfsTestCluster();</pre>
 * started before the class's {@code @BeforeClass} methods and shut down after its {@code @AfterClass} ones.
 */
public final class HdfsTestCluster extends ExternalResource {

  private MiniDFSCluster cluster;
  private Configuration conf;

  @Override
  protected void before() throws IOException {
    Configuration base = new Configuration();
    File dir = Files.createTempDirectory(new File("target").toPath(), "minidfs").toFile();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.getAbsolutePath());
    cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    cluster.waitActive();
    conf = new Configuration(cluster.getConfiguration(0));
    conf.set("mapreduce.framework.name", "local");
    conf.setInt("mapreduce.local.reduce.tasks.maximum", 2);
    conf.set(Dataset.ROOT_KEY, "/nightjar");
  }

  public FileSystem fs() throws IOException {
    return cluster.getFileSystem();
  }

  /** A copy of the cluster's configuration. */
  public Configuration conf() {
    return new Configuration(conf);
  }

  /** Runs a tool by name, of the job jar or the test kit; returns its exit status. */
  public int run(String tool, String... args) {
    String[] full = new String[args.length + 1];
    full[0] = tool;
    System.arraycopy(args, 0, full, 1, args.length);
    return io.nightjar.testkit.Main.tool(tool) != null ? io.nightjar.testkit.Main.run(conf(), full)
        : Main.run(conf(), full);
  }

  /** Every record of the {@code .avro} files directly in {@code dir}. */
  public <T> List<T> readAvro(Path dir, Class<T> type) throws IOException {
    return AvroRecords.read(fs(), dir, type);
  }

  @Override
  protected void after() {
    if (cluster != null) {
      cluster.shutdown(true);
      cluster = null;
    }
  }
}

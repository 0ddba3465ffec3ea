package io.nightjar.bench;

import io.nightjar.common.Dataset;
import java.io.File;
import org.apache.hadoop.conf.Configuration;

/** What every benchmark sets up the same way: local-mode MapReduce under a work folder, and tool exit checks. */
final class BenchSupport {

  private BenchSupport() {
  }

  /**
   * MapReduce in local mode with {@code slots} map and reduce tasks in parallel, datasets under
   * {@code workDir/root}, and input splits of at most 32 MB (Crunch otherwise combines a local input into one split).
   */
  static Configuration localConf(File workDir, int slots) {
    Configuration conf = new Configuration();
    conf.set("mapreduce.framework.name", "local");
    conf.set(Dataset.ROOT_KEY, new File(workDir, "root").getAbsolutePath());
    conf.setInt("mapreduce.local.map.tasks.maximum", slots);
    conf.setInt("mapreduce.local.reduce.tasks.maximum", slots);
    conf.setLong("crunch.combine.file.block.size", 32L << 20);
    return conf;
  }

  /** Fails the benchmark when a tool did not succeed. */
  static void check(int status) {
    if (status != 0) {
      throw new IllegalStateException("tool exited with " + status);
    }
  }
}

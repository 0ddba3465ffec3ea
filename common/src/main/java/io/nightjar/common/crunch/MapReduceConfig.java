package io.nightjar.common.crunch;

import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.MRConfig;
import org.apache.hadoop.mapreduce.util.ConfigUtil;

/**
 * Reads a tool's configuration as its MapReduce job will: MapReduce's default and site files
 * ({@code mapred-default.xml}, {@code mapred-site.xml}, YARN's) and its deprecated key names are loaded when this class
 * is, once, as {@code JobConf}'s class initialisation does. A tool's configuration is a plain {@code Configuration}
 * until its job is built, so without this a cluster's {@code mapred-site.xml} would not be seen yet.
 */
public final class MapReduceConfig {

  static {
    ConfigUtil.loadResources();
  }

  private MapReduceConfig() {
  }

  /** Whether jobs run in this process ({@code mapreduce.framework.name} {@code local}, Hadoop's default). */
  public static boolean runsLocally(Configuration conf) {
    return MRConfig.LOCAL_FRAMEWORK_NAME.equals(
        conf.getTrimmed(MRConfig.FRAMEWORK_NAME, MRConfig.LOCAL_FRAMEWORK_NAME));
  }

  /**
   * Whether {@code key} has a value from anywhere but Hadoop's own {@code *-default.xml} files: {@code -D} (also under
   * a deprecated name), a site file, the code.
   */
  public static boolean setOutsideDefaults(Configuration conf, String key) {
    if (conf.get(key) == null) {
      return false;
    }
    String[] sources = conf.getPropertySources(key);
    return sources == null || !Arrays.stream(sources).allMatch(source -> source.endsWith("-default.xml"));
  }
}

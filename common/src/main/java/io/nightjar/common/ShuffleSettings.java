package io.nightjar.common;

import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;

/**
 * MapReduce settings for a job that shuffles every input record, not partials: a reduce-side join, duplicate removal.
 * Pass {@link #everyRecordShuffled} to {@link DailyJobTool}'s constructor (or apply it to a job's configuration).
 *
 * <p>Why: Hadoop's map-side sort buffer ({@value #SORT_MB}) is 100 MB by default (mapred-default.xml), and a map task
 * that outputs more than 80% of it spills several sorted runs and merges them again before the reducers can fetch
 * them. A 128 MB split of impressions gives about 165 MB of map output: three spills and a merge at 100 MB, one
 * spill at 256 MB. Measured on {@code impressions-join --strategy default} (10 M impressions, 64 reducers, local):
 * 28.3-29.8 s at 100 MB, 24.6 s at 256 MB; bench/PROFILE.md.
 *
 * <p>The reduce side: Crunch sizes a job's reduce tasks at one per {@value #BYTES_PER_REDUCE_TASK} of input (1 GB
 * unless set), so 132 MB of readings got one reducer that took 5.6 s alone while the other slot was idle. A job
 * that shuffles every record gets one per {@value #EVERY_RECORD_BYTES_PER_REDUCE_TASK} bytes (64 MB) of input, the
 * size Spark's adaptive execution coalesces shuffle partitions to: {@code sensor-averages --duplicates remove} on 10 M
 * readings 19.8-20.4 s with one reducer, 17.6-18.1 s with two. A job with an explicit reducer count
 * ({@code impressions-join --reducers}) keeps it.
 *
 * <p>The buffer lives in the map task's heap: 256 MB suits Hadoop 3's default 1 GB map container (about 820 MB of
 * heap). A cluster whose map tasks have less sets the key in its mapred-site.xml, or a run gives it with {@code -D};
 * either wins over this default, which only replaces Hadoop's built-in one; likewise
 * {@value #BYTES_PER_REDUCE_TASK}.
 */
public final class ShuffleSettings {

  public static final String SORT_MB = "mapreduce.task.io.sort.mb";
  /** The map-side sort buffer nightjar gives a job that shuffles every record, in MB. */
  public static final int EVERY_RECORD_SORT_MB = 256;

  public static final String BYTES_PER_REDUCE_TASK = "crunch.bytes.per.reduce.task";
  /** Input bytes per reduce task nightjar gives a job that shuffles every record. */
  public static final long EVERY_RECORD_BYTES_PER_REDUCE_TASK = 64L << 20;

  private ShuffleSettings() {
  }

  /**
   * {@code conf} with the sort buffer at {@value #EVERY_RECORD_SORT_MB} MB and a reduce task per 64 MB of input,
   * each unless a user or site file set it.
   */
  public static Configuration everyRecordShuffled(Configuration conf) {
    if (!setOutsideDefaults(conf, SORT_MB)) {
      conf.setInt(SORT_MB, EVERY_RECORD_SORT_MB);
    }
    if (!setOutsideDefaults(conf, BYTES_PER_REDUCE_TASK)) {
      conf.setLong(BYTES_PER_REDUCE_TASK, EVERY_RECORD_BYTES_PER_REDUCE_TASK);
    }
    return conf;
  }

  /** Whether {@code key} has a value from anywhere but Hadoop's own {@code *-default.xml} files (-D, site files). */
  public static boolean setOutsideDefaults(Configuration conf, String key) {
    if (conf.get(key) == null) {
      return false;
    }
    String[] sources = conf.getPropertySources(key);
    return sources != null && !Arrays.stream(sources).allMatch(source -> source.endsWith("-default.xml"));
  }
}

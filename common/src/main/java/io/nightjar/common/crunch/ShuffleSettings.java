package io.nightjar.common.crunch;

import io.nightjar.common.tool.DailyJobTool;
import org.apache.hadoop.conf.Configuration;

/**
 * MapReduce settings for a job that shuffles every input record, not partials: a reduce-side join, duplicate removal.
 * Pass {@link #everyRecordShuffled} to {@link DailyJobTool}'s constructor (or apply it to a job's configuration).
 * Each replaces only Hadoop's or Crunch's built-in default: a key set in a site file or with {@code -D} wins.
 * Measured in bench/PROFILE.md (10 M records, local mode, two slots, alternating runs):
 *
 * <ul>
 *   <li>{@value #SORT_MB} 256 MB (Hadoop's 100): a map task that outputs more than 80% of the buffer spills several
 *       sorted runs and merges them again. A 128 MB split of impressions gives about 165 MB of map output: three
 *       spills and a merge at 100 MB, one spill at 256 MB. {@code impressions-join --strategy default}: median of 3
 *       27.9 s → 26.9 s, user CPU 45.7 → 41.8 s. The buffer lives in the map task's heap: 256 MB suits Hadoop 3's
 *       default 1 GB map container (about 820 MB of heap); a cluster with smaller map tasks sets it lower.</li>
 *   <li>{@value #REDUCE_INPUT_BUFFER_PERCENT} 0.5 (Hadoop's 0.0, which writes every fetched map output to disk and
 *       reads it back before the first reduce call): the reduce keeps them in memory. nightjar's reducers stream their
 *       groups (a join holds one key's metadata rows, {@code sensor-averages} one sensor's hour of readings), so half
 *       the heap is free for this. {@code impressions-join
 *       --strategy default}: 26.5 and 27.6 s → 23.5 and 23.6 s.</li>
 *   <li>{@value #BYTES_PER_REDUCE_TASK} 64 MB (Crunch's 1 GB) where Crunch derives the reducer count from the input
 *       size, the size Spark's adaptive execution coalesces shuffle partitions to: 132 MB of readings got one reducer
 *       that ran 5.6 s alone while the other slot idled; {@code sensor-averages --duplicates remove} 19.8-20.4 s with
 *       one reducer, 17.6-18.1 s with two. A job with an explicit count ({@code impressions-join --reducers}) keeps
 *       it.</li>
 * </ul>
 */
public final class ShuffleSettings {

  public static final String SORT_MB = "mapreduce.task.io.sort.mb";
  /** The map-side sort buffer nightjar gives a job that shuffles every record, in MB. */
  public static final int EVERY_RECORD_SORT_MB = 256;

  public static final String REDUCE_INPUT_BUFFER_PERCENT = "mapreduce.reduce.input.buffer.percent";
  /** Fraction of the reduce task's heap that keeps map outputs in memory during the reduce. */
  public static final float EVERY_RECORD_REDUCE_INPUT_BUFFER = 0.5f;
  public static final String BYTES_PER_REDUCE_TASK = "crunch.bytes.per.reduce.task";
  /** Input bytes per reduce task nightjar gives a job that shuffles every record. */
  public static final long EVERY_RECORD_BYTES_PER_REDUCE_TASK = 64L << 20;

  /** {@code --help} lines of the three keys, for a tool's configuration keys. */
  public static final String SORT_MB_HELP = SORT_MB + " (" + EVERY_RECORD_SORT_MB
      + "; Hadoop's own: 100): map-side sort buffer in MB, unless a site file sets it; lower it for map tasks under "
      + "820 MB of heap";
  public static final String REDUCE_INPUT_BUFFER_HELP = REDUCE_INPUT_BUFFER_PERCENT + " ("
      + EVERY_RECORD_REDUCE_INPUT_BUFFER + "; Hadoop's own: 0.0): fraction of a reduce task's heap that keeps map "
      + "outputs in memory while it reduces, unless a site file sets it";
  public static final String BYTES_PER_REDUCE_TASK_HELP = BYTES_PER_REDUCE_TASK + " ("
      + (EVERY_RECORD_BYTES_PER_REDUCE_TASK >> 20) + " MB; Crunch's own: 1 GB): input bytes per reduce task, unless a "
      + "site file sets it";

  private ShuffleSettings() {
  }

  /**
   * {@code conf} with the sort buffer at {@value #EVERY_RECORD_SORT_MB} MB, map outputs kept in memory for the reduce
   * and a reduce task per 64 MB of input, each unless a user or site file set it.
   */
  public static Configuration everyRecordShuffled(Configuration conf) {
    defaultTo(conf, SORT_MB, Integer.toString(EVERY_RECORD_SORT_MB));
    return batchesShuffled(conf);
  }

  /**
   * {@code conf} for a job whose map tasks shuffle their records in batches (a record per key a task holds, as
   * {@code sensor-averages --duplicates remove} on the Crunch engine): map outputs kept in memory for the reduce and a
   * reduce task per 64 MB of input, each unless a user or site file set it; the sort buffer stays Hadoop's (100 MB),
   * which holds a task's batches (the same times as with 256 MB: bench/PROFILE.md).
   */
  public static Configuration batchesShuffled(Configuration conf) {
    defaultTo(conf, REDUCE_INPUT_BUFFER_PERCENT, Float.toString(EVERY_RECORD_REDUCE_INPUT_BUFFER));
    defaultTo(conf, BYTES_PER_REDUCE_TASK, Long.toString(EVERY_RECORD_BYTES_PER_REDUCE_TASK));
    return conf;
  }

  private static void defaultTo(Configuration conf, String key, String value) {
    if (!setOutsideDefaults(conf, key)) {
      conf.set(key, value);
    }
  }

  /**
   * Whether {@code key} has a value from anywhere but Hadoop's own {@code *-default.xml} files: {@code -D} (also under
   * a deprecated name), a site file, the code; MapReduce's own files are read first ({@link MapReduceConfig}).
   */
  public static boolean setOutsideDefaults(Configuration conf, String key) {
    return MapReduceConfig.setOutsideDefaults(conf, key);
  }
}

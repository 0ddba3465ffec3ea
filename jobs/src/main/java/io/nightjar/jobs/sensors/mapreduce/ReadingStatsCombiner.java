package io.nightjar.jobs.sensors.mapreduce;

import java.io.IOException;
import org.apache.hadoop.mapreduce.Reducer;

/**
 * Merges partial stats of one whole key (count and sum carried, never averages of averages). Safe to run 0..n times.
 * Used without duplicate removal only, where a key is a whole sensor-period.
 */
public class ReadingStatsCombiner extends Reducer<ReadingKey, ReadingStats, ReadingKey, ReadingStats> {

  private final ReadingStats total = new ReadingStats();

  @Override
  protected void reduce(ReadingKey key, Iterable<ReadingStats> partials, Context context)
      throws IOException, InterruptedException {
    context.write(key, merge(partials, total));
  }

  static ReadingStats merge(Iterable<ReadingStats> partials, ReadingStats into) {
    into.clear();
    for (ReadingStats partial : partials) {
      into.merge(partial);
    }
    return into;
  }
}

package io.nightjar.jobs.sensors.mapreduce;

import java.io.IOException;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Reducer;

/** Merges partial stats of one key (count and sum carried, never averages of averages). Safe to run 0..n times. */
public class ReadingStatsCombiner extends Reducer<Text, ReadingStats, Text, ReadingStats> {

  private final ReadingStats total = new ReadingStats();

  @Override
  protected void reduce(Text key, Iterable<ReadingStats> partials, Context context)
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

package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.common.RecordAccounting;
import java.io.IOException;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Reducer;

/**
 * Final figures of one sensor-period: output line {@code sensorId TAB periodStart TAB count TAB min TAB max TAB sum
 * TAB mean}. Counts the readings each line stands for as {@code out}.
 */
public class SensorFiguresReducer extends Reducer<Text, ReadingStats, Text, ReadingStats> {

  private final ReadingStats total = new ReadingStats();

  @Override
  protected void reduce(Text key, Iterable<ReadingStats> partials, Context context)
      throws IOException, InterruptedException {
    ReadingStatsCombiner.merge(partials, total);
    context.getCounter(RecordAccounting.GROUP, RecordAccounting.OUT).increment(total.count());
    context.getCounter(RecordAccounting.GROUP, RecordAccounting.WRITTEN).increment(1);
    context.write(key, total);
  }
}

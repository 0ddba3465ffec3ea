package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.sensors.SensorAverages;
import java.io.IOException;
import org.apache.avro.mapred.AvroKey;
import org.apache.avro.mapreduce.AvroMultipleOutputs;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.Reducer;

/**
 * Final figures of one sensor-period, as a {@code SensorAggregate}. With duplicate removal the readings arrive in
 * timestamp order (secondary sort, {@link ReadingKey}), so the repeats of a reading are adjacent: an exact repeat is
 * skipped ({@value SensorAverages#DUPLICATE_READING}), a timestamp with different values is quarantined whole
 * ({@value SensorAverages#CONFLICTING_DUPLICATE}, one record), as the Crunch pipeline's separate shuffle does; the
 * duplicates and the figures cost one shuffle. Counts the readings each figure stands for as {@code out}.
 */
public class SensorFiguresReducer extends Reducer<ReadingKey, ReadingStats, AvroKey<SensorAggregate>, NullWritable> {

  private final ReadingStats total = new ReadingStats();
  private final AvroKey<SensorAggregate> figure = new AvroKey<>();
  private final AvroKey<QuarantineRecord> quarantined = new AvroKey<>();
  private AvroMultipleOutputs outputs;
  private Granularity granularity;
  private boolean removeDuplicates;
  private Counter out;
  private Counter written;

  @Override
  protected void setup(Context context) {
    granularity = Granularity.valueOf(context.getConfiguration().get(SensorAveragesJob.GRANULARITY_KEY,
        Granularity.DAY.name()));
    removeDuplicates = context.getConfiguration().getBoolean(SensorAveragesJob.REMOVE_DUPLICATES_KEY, true);
    out = context.getCounter(RecordAccounting.GROUP, RecordAccounting.OUT);
    written = context.getCounter(RecordAccounting.GROUP, RecordAccounting.WRITTEN);
    outputs = new AvroMultipleOutputs(context);
  }

  @Override
  protected void reduce(ReadingKey key, Iterable<ReadingStats> readings, Context context)
      throws IOException, InterruptedException {
    if (removeDuplicates) {
      distinctTotal(key, readings, context);
    } else {
      ReadingStatsCombiner.merge(readings, total);
    }
    if (total.count() == 0) { // every reading of the sensor-period conflicted
      return;
    }
    out.increment(total.count());
    written.increment(1);
    figure.datum(SensorAverages.figure(key.sensorId(), granularity, key.periodStart(), total.count(), total.sum(),
        total.min(), total.max()));
    context.write(figure, NullWritable.get());
  }

  /** Totals one reading per timestamp into {@link #total}; {@code key} moves on with each value. */
  private void distinctTotal(ReadingKey key, Iterable<ReadingStats> readings, Context context)
      throws IOException, InterruptedException {
    total.clear();
    long timestamp = 0;
    long occurrences = 0;
    double min = 0;
    double max = 0;
    for (ReadingStats reading : readings) {
      if (occurrences > 0 && key.timestamp() != timestamp) {
        resolve(key.sensorId(), timestamp, occurrences, min, max, context);
        occurrences = 0;
      }
      if (occurrences == 0) {
        timestamp = key.timestamp();
        min = reading.min();
        max = reading.max();
      } else {
        min = Math.min(min, reading.min());
        max = Math.max(max, reading.max());
      }
      occurrences += reading.count();
    }
    if (occurrences > 0) {
      resolve(key.sensorId(), timestamp, occurrences, min, max, context);
    }
  }

  /** One timestamp's readings: one kept and the repeats skipped, or all quarantined when their values differ. */
  private void resolve(String sensorId, long timestamp, long occurrences, double min, double max, Context context)
      throws IOException, InterruptedException {
    if (min == max) {
      total.add(min);
      if (occurrences > 1) {
        context.getCounter(RecordAccounting.GROUP, RecordAccounting.SKIPPED).increment(occurrences - 1);
        context.getCounter(RecordAccounting.SKIP_REASONS, SensorAverages.DUPLICATE_READING)
            .increment(occurrences - 1);
      }
    } else {
      context.getCounter(RecordAccounting.GROUP, RecordAccounting.QUARANTINED).increment(occurrences);
      context.getCounter(RecordAccounting.QUARANTINE_REASONS, SensorAverages.CONFLICTING_DUPLICATE)
          .increment(occurrences);
      quarantined.datum(SensorAverages.conflictingDuplicate(sensorId, timestamp, occurrences, min, max, false));
      outputs.write(SensorAveragesJob.QUARANTINE, quarantined, NullWritable.get(), SensorAveragesJob.QUARANTINE_BASE);
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }
}

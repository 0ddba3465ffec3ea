package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.crunch.NightjarTypes;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.sensors.Periods;
import io.nightjar.jobs.sensors.ReadingParser;
import io.nightjar.jobs.sensors.SensorAverages;
import java.io.IOException;
import java.time.LocalDate;
import org.apache.avro.mapred.AvroKey;
import org.apache.avro.mapreduce.AvroMultipleOutputs;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.Mapper;

/**
 * The map side of the classic form: routes each checked reading as the Crunch pipeline does (same
 * {@link ReadingParser}, same counters and reasons): a valid one to {@code ((sensor, period, timestamp), its stats)},
 * a skipped one counted, a refused one counted and written to the {@value SensorAveragesJob#QUARANTINE} output with
 * its raw input. Subclasses read one input format.
 */
public abstract class CheckedReadingMapper<K, V> extends Mapper<K, V, ReadingKey, ReadingStats> {

  private final ReadingKey key = new ReadingKey();
  private final ReadingStats stats = new ReadingStats();
  private final AvroKey<QuarantineRecord> quarantined = new AvroKey<>();
  private AvroMultipleOutputs outputs;
  private Counter in;
  private Counter skipped;
  private Counter quarantinedCount;
  protected LocalDate day;
  private Granularity granularity;
  private boolean removeDuplicates;

  @Override
  protected void setup(Context context) {
    Configuration conf = context.getConfiguration();
    day = LocalDate.parse(conf.get(SensorAveragesJob.DAY_KEY));
    granularity = Granularity.valueOf(conf.get(SensorAveragesJob.GRANULARITY_KEY, Granularity.DAY.name()));
    removeDuplicates = conf.getBoolean(SensorAveragesJob.REMOVE_DUPLICATES_KEY, true);
    in = context.getCounter(RecordAccounting.GROUP, RecordAccounting.IN);
    skipped = context.getCounter(RecordAccounting.GROUP, RecordAccounting.SKIPPED);
    quarantinedCount = context.getCounter(RecordAccounting.GROUP, RecordAccounting.QUARANTINED);
    outputs = new AvroMultipleOutputs(context);
  }

  /** Counts the record in and routes its outcome; {@code raw} is rendered only when quarantined. */
  protected void route(ReadingParser.Outcome outcome, Object raw, Context context)
      throws IOException, InterruptedException {
    in.increment(1);
    switch (outcome.kind) {
      case VALID:
        long timestamp = outcome.reading.getTimestamp();
        double value = outcome.reading.getValue();
        key.set(outcome.reading.getSensorId(), Periods.start(timestamp, granularity), removeDuplicates ? timestamp : 0);
        stats.set(1, value, value, value);
        context.write(key, stats);
        break;
      case SKIP:
        skipped.increment(1);
        context.getCounter(RecordAccounting.SKIP_REASONS, outcome.reason).increment(1);
        if (outcome.reason.equals(ReadingParser.OTHER_DAY)) {
          context.getCounter(SensorAverages.OTHER_DAYS, outcome.detail).increment(1);
        }
        break;
      default:
        quarantinedCount.increment(1);
        context.getCounter(RecordAccounting.QUARANTINE_REASONS, outcome.reason).increment(1);
        if (outcome.day == null) {
          context.getCounter(SensorAverages.UNDATED, SensorAverages.UNDATED_QUARANTINED).increment(1);
        }
        quarantined.datum(NightjarTypes.quarantine(outcome.reason, outcome.detail, raw.toString(), 1));
        outputs.write(SensorAveragesJob.QUARANTINE, quarantined, NullWritable.get(),
            SensorAveragesJob.QUARANTINE_BASE);
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }
}

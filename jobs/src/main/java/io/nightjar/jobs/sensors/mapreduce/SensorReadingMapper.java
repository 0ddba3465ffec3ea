package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.avro.Granularity;
import io.nightjar.common.RecordAccounting;
import io.nightjar.jobs.sensors.Periods;
import io.nightjar.jobs.sensors.ReadingParser;
import java.io.IOException;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;

/**
 * The classic form of sensor averages (plain MapReduce): a device line to {@code (sensorId TAB periodStart,
 * stats of one reading)}. Parses and checks with {@link ReadingParser}, so it refuses what the Crunch pipeline refuses
 * and keeps the same counters; it has no quarantine output (refused lines are only counted) and does not remove
 * duplicates. Configure with {@value #DAY_KEY} and {@value #GRANULARITY_KEY}.
 */
public class SensorReadingMapper extends Mapper<LongWritable, Text, Text, ReadingStats> {

  public static final String DAY_KEY = "nightjar.sensors.day";
  public static final String GRANULARITY_KEY = "nightjar.sensors.granularity";

  private final Text key = new Text();
  private final ReadingStats stats = new ReadingStats();
  private LocalDate day;
  private Granularity granularity;

  @Override
  protected void setup(Context context) {
    Configuration conf = context.getConfiguration();
    day = LocalDate.parse(conf.get(DAY_KEY));
    granularity = Granularity.valueOf(conf.get(GRANULARITY_KEY, Granularity.DAY.name()));
  }

  @Override
  protected void map(LongWritable offset, Text line, Context context) throws IOException, InterruptedException {
    context.getCounter(RecordAccounting.GROUP, RecordAccounting.IN).increment(1);
    ReadingParser.Outcome outcome = ReadingParser.parseLine(line.toString(), day);
    switch (outcome.kind) {
      case VALID:
        key.set(outcome.reading.getSensorId() + "\t" + Periods.start(outcome.reading.getTimestamp(), granularity));
        stats.set(1, outcome.reading.getValue(), outcome.reading.getValue(), outcome.reading.getValue());
        context.write(key, stats);
        break;
      case SKIP:
        context.getCounter(RecordAccounting.GROUP, RecordAccounting.SKIPPED).increment(1);
        context.getCounter(RecordAccounting.SKIP_REASONS, outcome.reason).increment(1);
        break;
      default:
        context.getCounter(RecordAccounting.GROUP, RecordAccounting.QUARANTINED).increment(1);
        context.getCounter(RecordAccounting.QUARANTINE_REASONS, outcome.reason).increment(1);
    }
  }
}

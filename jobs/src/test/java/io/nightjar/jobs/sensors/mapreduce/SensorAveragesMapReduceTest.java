package io.nightjar.jobs.sensors.mapreduce;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.Granularity;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.sensors.ReadingParser;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mrunit.mapreduce.MapDriver;
import org.apache.hadoop.mrunit.mapreduce.ReduceDriver;
import org.junit.Test;

/**
 * MRUnit tests of the classic form's mapper and combiner, and its key's order. The whole job, quarantine included,
 * is compared with the Crunch pipeline in {@code SensorAveragesEnginesTest}.
 */
public class SensorAveragesMapReduceTest {

  private static final long DAY_START = Instant.parse("2016-05-01T00:00:00Z").toEpochMilli();
  private static final long HOUR_13 = Instant.parse("2016-05-01T13:00:00Z").toEpochMilli();
  private static final long T = Instant.parse("2016-05-01T13:02:03Z").toEpochMilli();

  @Test
  public void mapperKeysBySensorPeriodAndTimestampAndCountsWhatItSkips() throws IOException {
    MapDriver<LongWritable, Text, ReadingKey, ReadingStats> driver = MapDriver.newMapDriver(new SensorReadingMapper());
    configure(driver.getConfiguration(), Granularity.HOUR, true);
    driver.withInput(new LongWritable(0), new Text("s1,2016-05-01 13:02:03,1.5"))
        .withInput(new LongWritable(1), new Text("sensorId,timestamp,value"))
        .withInput(new LongWritable(3), new Text("s1,2016-05-02 13:02:03,1"))
        .withOutput(key("s1", HOUR_13, T), ReadingStats.of(1.5))
        .runTest();
    assertEquals(3, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.IN).getValue());
    assertEquals(1, driver.getCounters()
        .findCounter(RecordAccounting.SKIP_REASONS, ReadingParser.OTHER_DAY).getValue());
    assertEquals(2, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.SKIPPED).getValue());
  }

  @Test
  public void withoutDuplicateRemovalAWholePeriodIsOneKey() throws IOException {
    MapDriver<LongWritable, Text, ReadingKey, ReadingStats> driver = MapDriver.newMapDriver(new SensorReadingMapper());
    configure(driver.getConfiguration(), Granularity.DAY, false);
    driver.withInput(new LongWritable(0), new Text("s1,2016-05-01 13:02:03,1.5"))
        .withOutput(key("s1", DAY_START, 0), ReadingStats.of(1.5))
        .runTest();
  }

  @Test
  public void combinerCarriesCountAndSum() throws IOException {
    ReduceDriver.newReduceDriver(new ReadingStatsCombiner())
        .withInput(key("s1", DAY_START, 0), Arrays.asList(ReadingStats.of(1), ReadingStats.of(2)))
        .withInput(key("s2", DAY_START, 0), Arrays.asList(new ReadingStats(3, 30, 5, 15)))
        .withOutput(key("s1", DAY_START, 0), new ReadingStats(2, 3, 1, 2))
        .withOutput(key("s2", DAY_START, 0), new ReadingStats(3, 30, 5, 15))
        .runTest();
  }

  @Test
  public void keysSortBySensorPeriodTimestampAndGroupBySensorPeriod() throws IOException {
    ReadingKey.SortComparator sort = new ReadingKey.SortComparator();
    ReadingKey.GroupingComparator group = new ReadingKey.GroupingComparator();
    ReadingKey a = key("s1", DAY_START, 5);
    ReadingKey b = key("s1", DAY_START, 7);
    ReadingKey c = key("s1", HOUR_13, 1);
    ReadingKey d = key("s10", DAY_START, 1);
    assertTrue(rawCompare(sort, a, b) < 0);
    assertEquals(0, rawCompare(group, a, b));
    assertTrue(rawCompare(sort, b, c) < 0);
    assertTrue(rawCompare(group, b, c) < 0);
    assertTrue(rawCompare(sort, c, d) < 0);
    assertTrue(rawCompare(group, d, a) > 0);
    assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(rawCompare(sort, a, b)));
    ReadingKey.SensorPeriodPartitioner<ReadingStats> partitioner = new ReadingKey.SensorPeriodPartitioner<>();
    assertEquals(partitioner.getPartition(a, null, 64), partitioner.getPartition(b, null, 64));
  }

  private static int rawCompare(org.apache.hadoop.io.WritableComparator comparator, ReadingKey x, ReadingKey y)
      throws IOException {
    DataOutputBuffer bx = new DataOutputBuffer();
    DataOutputBuffer by = new DataOutputBuffer();
    bx.writeInt(99); // keys sit at an offset in the sort buffer
    x.write(bx);
    y.write(by);
    return comparator.compare(bx.getData(), 4, bx.getLength() - 4, by.getData(), 0, by.getLength());
  }

  private static ReadingKey key(String sensor, long period, long timestamp) {
    ReadingKey key = new ReadingKey();
    key.set(sensor, period, timestamp);
    return key;
  }

  private static void configure(org.apache.hadoop.conf.Configuration conf, Granularity granularity,
      boolean removeDuplicates) {
    conf.set(SensorAveragesJob.DAY_KEY, "2016-05-01");
    conf.set(SensorAveragesJob.GRANULARITY_KEY, granularity.name());
    conf.setBoolean(SensorAveragesJob.REMOVE_DUPLICATES_KEY, removeDuplicates);
  }
}

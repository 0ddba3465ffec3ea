package io.nightjar.jobs.sensors.mapreduce;

import static org.junit.Assert.assertEquals;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.RecordAccounting;
import io.nightjar.jobs.sensors.ReadingParser;
import io.nightjar.jobs.sensors.SensorAverages;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mrunit.mapreduce.MapDriver;
import org.apache.hadoop.mrunit.mapreduce.MapReduceDriver;
import org.apache.hadoop.mrunit.mapreduce.ReduceDriver;
import org.apache.hadoop.mrunit.types.Pair;
import org.junit.Test;

/** MRUnit tests of the classic MapReduce form, and its agreement with the Crunch pipeline. */
public class SensorAveragesMapReduceTest {

  private static final long DAY_START = Instant.parse("2016-05-01T00:00:00Z").toEpochMilli();
  private static final long HOUR_13 = Instant.parse("2016-05-01T13:00:00Z").toEpochMilli();

  @Test
  public void mapperKeysBySensorAndPeriodAndCountsWhatItRefuses() throws IOException {
    MapDriver<LongWritable, Text, Text, ReadingStats> driver = MapDriver.newMapDriver(new SensorReadingMapper());
    configure(driver.getConfiguration(), Granularity.HOUR);
    driver.withInput(new LongWritable(0), new Text("s1,2016-05-01 13:02:03,1.5"))
        .withInput(new LongWritable(1), new Text("sensorId,timestamp,value"))
        .withInput(new LongWritable(2), new Text("s1,2016-05-01 13:02:03,NaN"))
        .withInput(new LongWritable(3), new Text("s1,2016-05-02 13:02:03,1"))
        .withOutput(new Text("s1\t" + HOUR_13), ReadingStats.of(1.5))
        .runTest();
    assertEquals(4, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.IN).getValue());
    assertEquals(1, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.QUARANTINED).getValue());
    assertEquals(1, driver.getCounters()
        .findCounter(RecordAccounting.SKIP_REASONS, ReadingParser.OTHER_DAY).getValue());
    assertEquals(2, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.SKIPPED).getValue());
  }

  @Test
  public void combinerCarriesCountAndSum() throws IOException {
    ReduceDriver.newReduceDriver(new ReadingStatsCombiner())
        .withInput(new Text("s1\t" + DAY_START), Arrays.asList(ReadingStats.of(1), ReadingStats.of(2)))
        .withInput(new Text("s2\t" + DAY_START), Arrays.asList(new ReadingStats(3, 30, 5, 15)))
        .withOutput(new Text("s1\t" + DAY_START), new ReadingStats(2, 3, 1, 2))
        .withOutput(new Text("s2\t" + DAY_START), new ReadingStats(3, 30, 5, 15))
        .runTest();
  }

  @Test
  public void reducerMeanIsTotalSumOverTotalCount() throws IOException {
    // An average of the partial averages (2 and 10) would give 6; the right mean is 32/4 = 8.
    ReduceDriver<Text, ReadingStats, Text, ReadingStats> driver =
        ReduceDriver.newReduceDriver(new SensorFiguresReducer());
    List<Pair<Text, ReadingStats>> output = driver
        .withInput(new Text("s1\t" + DAY_START), Arrays.asList(new ReadingStats(3, 6, 1, 3), ReadingStats.of(10)))
        .run();
    assertEquals(1, output.size());
    assertEquals(new ReadingStats(4, 16, 1, 10), output.get(0).getSecond());
    assertEquals(4.0, output.get(0).getSecond().mean(), 0);
    assertEquals(4, driver.getCounters().findCounter(RecordAccounting.GROUP, RecordAccounting.OUT).getValue());
  }

  @Test
  public void mapReduceAgreesWithTheCrunchPipeline() throws IOException {
    List<String> lines = Arrays.asList(
        "s1,2016-05-01 00:00:01,1", "s1,2016-05-01 00:30:00,3", "s1,2016-05-01 01:00:00,8",
        "s2,2016-05-01 23:59:59,-4.5", "s2,2016-05-01 12:00:00,5", "s3,2016-05-01 12:00:00,Infinity",
        "s3,2016-05-01 12:00:01,2", "bad line");
    for (Granularity granularity : Granularity.values()) {
      MapReduceDriver<LongWritable, Text, Text, ReadingStats, Text, ReadingStats> driver =
          MapReduceDriver.newMapReduceDriver(new SensorReadingMapper(), new SensorFiguresReducer(),
              new ReadingStatsCombiner());
      configure(driver.getConfiguration(), granularity);
      for (int i = 0; i < lines.size(); i++) {
        driver.withInput(new LongWritable(i), new Text(lines.get(i)));
      }
      Map<String, String> mapReduce = new TreeMap<>();
      for (Pair<Text, ReadingStats> figure : driver.run()) {
        ReadingStats s = figure.getSecond();
        mapReduce.put(figure.getFirst().toString(), s.count() + " " + s.min() + " " + s.max() + " " + s.mean());
      }

      Map<String, String> crunch = new TreeMap<>();
      for (SensorAggregate a : SensorAverages.figures(SensorAverages.parseLines(
          MemPipeline.typedCollectionOf(Avros.strings(), lines), java.time.LocalDate.parse("2016-05-01")).first(),
          granularity).materialize()) {
        crunch.put(a.getSensorId() + "\t" + a.getPeriodStart(),
            a.getCount() + " " + a.getMin() + " " + a.getMax() + " " + a.getMean());
      }
      assertEquals(granularity.toString(), crunch, mapReduce);
      assertEquals(granularity == Granularity.DAY ? 3 : granularity == Granularity.HOUR ? 5 : 6, crunch.size());
    }
  }

  private static void configure(org.apache.hadoop.conf.Configuration conf, Granularity granularity) {
    conf.set(SensorReadingMapper.DAY_KEY, "2016-05-01");
    conf.set(SensorReadingMapper.GRANULARITY_KEY, granularity.name());
  }

}

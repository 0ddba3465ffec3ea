package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.testkit.AvroRecords;
import com.google.common.collect.Lists;
import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.dataset.RecordAccounting;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.From;
import org.apache.crunch.io.To;
import org.apache.crunch.types.avro.Avros;
import org.junit.Before;
import org.junit.Test;

/**
 * The pipeline's logic: figures, duplicates, quarantine and the record accounting (on MemPipeline, and on local
 * MapReduce for {@code distinctFigures}, whose secondary sort MemPipeline does not run).
 */
public class SensorAveragesTest {

  static final LocalDate DAY = LocalDate.parse("2016-05-01");

  static final List<String> LINES = Arrays.asList(
      "sensorId,timestamp,value",
      "s1,2016-05-01 00:00:01,1",
      "s1,2016-05-01 00:30:00,3",
      "s1,2016-05-01 01:00:00,8",
      "s1,2016-05-01 01:00:00,8",          // exact duplicate: skipped
      "s2,2016-05-01 23:59:59,-4.5",
      "s2,2016-05-01 12:00:00,5",
      "s2,2016-05-01 12:00:00,6",          // conflicting with the line above: both quarantined
      "s3,2016-05-01 06:00:00,NaN",
      "s3,2016-05-02 06:00:00,1",
      "s3,garbage",
      "");

  @Before
  public void clearCounters() {
    MemPipeline.clearCounters();
  }

  @Test
  public void dailyFiguresFromDeviceLines() throws Exception {
    Map<String, SensorAggregate> bySensor = run(Granularity.DAY).stream()
        .collect(Collectors.toMap(a -> a.getSensorId().toString(), a -> a, (a, b) -> a, TreeMap::new));

    assertEquals(Arrays.asList("s1", "s2"), Arrays.asList(bySensor.keySet().toArray()));
    SensorAggregate s1 = bySensor.get("s1");
    assertEquals(3, (long) s1.getCount());
    assertEquals(1.0, s1.getMin(), 0);
    assertEquals(8.0, s1.getMax(), 0);
    assertEquals(12.0, s1.getSum(), 0);
    assertEquals(4.0, s1.getMean(), 0);
    assertEquals(Instant.parse("2016-05-01T00:00:00Z").toEpochMilli(), (long) s1.getPeriodStart());
    SensorAggregate s2 = bySensor.get("s2");
    assertEquals(1, (long) s2.getCount());
    assertEquals(-4.5, s2.getMean(), 0);
  }

  @Test
  public void hourlyMeansAreSumOverCountNotAveragesOfAverages() throws Exception {
    Map<Long, SensorAggregate> s1 = run(Granularity.HOUR).stream()
        .filter(a -> a.getSensorId().equals("s1"))
        .collect(Collectors.toMap(SensorAggregate::getPeriodStart, a -> a));
    assertEquals(2, s1.size());
    assertEquals(2.0, s1.get(Instant.parse("2016-05-01T00:00:00Z").toEpochMilli()).getMean(), 0);
    assertEquals(8.0, s1.get(Instant.parse("2016-05-01T01:00:00Z").toEpochMilli()).getMean(), 0);
  }

  @Test
  public void everyLineIsAccountedFor() throws Exception {
    Run run = runDistinct(Granularity.DAY);
    assertEquals(2, run.figures.size());
    Map<String, Long> quarantined = new TreeMap<>();
    for (QuarantineRecord record : run.quarantine) {
      quarantined.merge(record.getReason().toString(), record.getRecords(), Long::sum);
    }
    Map<String, Long> expected = new TreeMap<>();
    expected.put(ReadingParser.NON_FINITE_VALUE, 1L);
    expected.put(ReadingParser.UNPARSABLE_LINE, 1L);
    expected.put(SensorAverages.CONFLICTING_DUPLICATE, 2L);
    assertEquals(expected, quarantined);
    assertEquals("the two conflicting readings share one quarantine record", 3, run.quarantine.size());

    RecordAccounting accounting = run.accounting;
    assertEquals(12, accounting.in());
    assertEquals(4, accounting.out());
    assertEquals(4, accounting.quarantined());
    assertEquals(4, accounting.skipped()); // header, blank line, one exact duplicate, one reading of another day
    assertEquals(Long.valueOf(1), accounting.skipReasons().get(ReadingParser.OTHER_DAY));
    assertEquals(Long.valueOf(1), accounting.skipReasons().get(SensorAverages.DUPLICATE_READING));
    assertEquals(2, accounting.written());
    accounting.check();
  }

  @Test
  public void copiesInDifferentBatchesAreResolvedTheSame() throws Exception {
    // One reading a batch: every repeat and every conflict meets only on the reduce side.
    Run oneByOne = runDistinct(Granularity.DAY, 1);
    Run together = runDistinct(Granularity.DAY);
    assertEquals(sorted(together.figures), sorted(oneByOne.figures));
    assertEquals(quarantineTexts(together), quarantineTexts(oneByOne));
    assertEquals(together.accounting.skipReasons(), oneByOne.accounting.skipReasons());
    assertEquals(together.accounting.quarantined(), oneByOne.accounting.quarantined());
    oneByOne.accounting.check();
  }

  @Test
  public void aBatchSortsItsTimestampsMergesCopiesAndSurvivesItsWrittenForm() throws Exception {
    long hour = Instant.parse("2016-05-01T10:00:00Z").toEpochMilli();
    SensorAverages.TimedBatch batch = new SensorAverages.TimedBatch(hour);
    batch.add(hour + 3_599_999, 1, 2.0, 2.0);
    batch.add(hour, 1, -0.5, -0.5);
    batch.add(hour + 7, 1, 1.0, 1.0);
    batch.add(hour + 3_599_999, 2, 2.0, 2.0);
    batch.add(hour + 7, 1, 4.0, 4.0);
    batch.add(hour + 9, 1, -0.0, -0.0);
    batch.add(hour + 9, 1, 0.0, 0.0);
    batch.compact();
    org.apache.hadoop.io.DataOutputBuffer out = new org.apache.hadoop.io.DataOutputBuffer();
    batch.write(out);
    org.apache.hadoop.io.DataInputBuffer in = new org.apache.hadoop.io.DataInputBuffer();
    in.reset(out.getData(), out.getLength());
    SensorAverages.TimedBatch read = new SensorAverages.TimedBatch();
    read.readFields(in);
    assertEquals(hour, read.bucketStart());
    assertEquals(4, read.size());
    SensorAverages.TimedBatch copy = new SensorAverages.TimedBatch(hour);
    copy.addAll(read);
    assertEquals("[" + hour + " 1 -0.5 -0.5, " + (hour + 7) + " 2 1.0 4.0, " + (hour + 9) + " 2 -0.0 0.0, "
        + (hour + 3_599_999) + " 3 2.0 2.0]",
        entries(copy));
  }

  private static String entries(SensorAverages.TimedBatch batch) {
    List<String> entries = new java.util.ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      entries.add(batch.entry(i));
    }
    return entries.toString();
  }

  private static List<String> quarantineTexts(Run run) {
    return run.quarantine.stream().map(Object::toString).sorted().collect(Collectors.toList());
  }

  private static List<String> sorted(List<SensorAggregate> figures) {
    return figures.stream().map(Object::toString).sorted().collect(Collectors.toList());
  }

  @Test
  public void avroReadingsAreCheckedLikeLines() {
    long t = Instant.parse("2016-05-01T10:00:00Z").toEpochMilli();
    PCollection<SensorReading> readings = MemPipeline.typedCollectionOf(Avros.specifics(SensorReading.class),
        new SensorReading("a", t, 2.0), new SensorReading("a", t + 1, Double.POSITIVE_INFINITY),
        new SensorReading("", t, 1.0), new SensorReading("a", t - 86_400_000L, 1.0));
    Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> checked = SensorAverages.check(readings, DAY);
    assertEquals(Arrays.asList(new SensorReading("a", t, 2.0)), Lists.newArrayList(checked.first().materialize()));
    List<String> reasons = Lists.newArrayList(checked.second().materialize()).stream()
        .map(QuarantineRecord::getReason).sorted().collect(Collectors.toList());
    assertEquals("the reading of the day before is skipped, not quarantined",
        Arrays.asList(ReadingParser.MISSING_FIELD, ReadingParser.NON_FINITE_VALUE), reasons);
  }

  @Test
  public void partialFiguresHeldPerTaskAddUpWhenFlushedEarly() {
    long t = Instant.parse("2016-05-01T10:00:00Z").toEpochMilli();
    List<SensorReading> readings = Arrays.asList(new SensorReading("a", t, 2.0), new SensorReading("b", t, 5.0),
        new SensorReading("a", t + 1000, -1.0), new SensorReading("c", t, 7.0), new SensorReading("a", t + 2000, 4.0),
        new SensorReading("b", t + 3_600_000L, 1.0));
    PCollection<SensorReading> input = MemPipeline.typedCollectionOf(Avros.specifics(SensorReading.class), readings);
    for (int maxKeys : new int[] {1, 2, 1000}) { // 1 and 2: the map is flushed before the input ends
      Map<String, SensorAggregate> bySensor = Lists.newArrayList(input
              .parallelDo(new SensorAverages.PartialFiguresFn(Granularity.DAY, maxKeys),
                  Avros.tableOf(Avros.pairs(Avros.strings(), Avros.longs()),
                      Avros.quads(Avros.longs(), Avros.doubles(), Avros.doubles(), Avros.doubles())))
              .groupByKey().combineValues(SensorAverages.statsAggregator())
              .parallelDo(new SensorAverages.ToFiguresFn(Granularity.DAY), Avros.specifics(SensorAggregate.class))
              .materialize()).stream()
          .collect(Collectors.toMap(a -> a.getSensorId().toString(), a -> a));
      SensorAggregate a = bySensor.get("a");
      assertEquals("maxKeys " + maxKeys, 3L, (long) a.getCount());
      assertEquals(5.0, a.getSum(), 0);
      assertEquals(-1.0, a.getMin(), 0);
      assertEquals(4.0, a.getMax(), 0);
      assertEquals(2L, (long) bySensor.get("b").getCount());
      assertEquals(3, bySensor.size());
    }
  }

  static List<SensorAggregate> run(Granularity granularity) throws Exception {
    return runDistinct(granularity).figures;
  }

  /** What {@link #runDistinct} published and counted. */
  static final class Run {
    List<SensorAggregate> figures;
    List<QuarantineRecord> quarantine;
    RecordAccounting accounting;
  }

  /**
   * Parses {@link #LINES} and computes the distinct figures as local MapReduce: {@link SensorAverages#distinctFigures}
   * groups with a secondary sort (sort and grouping comparators), which MemPipeline does not run.
   */
  static Run runDistinct(Granularity granularity) throws Exception {
    return runDistinct(granularity, SensorAverages.MAX_READINGS_PER_TASK);
  }

  /** As {@link #runDistinct(Granularity)}, the map task sending its batches on every {@code maxReadings} readings. */
  static Run runDistinct(Granularity granularity, int maxReadings) throws Exception {
    java.io.File dir = java.nio.file.Files.createTempDirectory("sensor-averages-test").toFile();
    try {
      java.io.File input = new java.io.File(dir, "lines.csv");
      java.nio.file.Files.write(input.toPath(), LINES);
      org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
      conf.set("fs.defaultFS", "file:///");
      conf.set("mapreduce.framework.name", "local");
      Pipeline pipeline = new MRPipeline(SensorAveragesTest.class, conf);
      Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> parsed =
          SensorAverages.parseLines(pipeline.read(From.textFile(input.getAbsolutePath())), DAY);
      Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinct =
          SensorAverages.distinctFigures(parsed.first(), granularity, false, maxReadings);
      java.io.File figures = new java.io.File(dir, "figures");
      java.io.File quarantine = new java.io.File(dir, "quarantine");
      pipeline.write(distinct.first(), To.avroFile(figures.getAbsolutePath()));
      pipeline.write(parsed.second().union(distinct.second()), To.avroFile(quarantine.getAbsolutePath()));
      PipelineResult result = pipeline.done();
      assertTrue(result.succeeded());
      Run run = new Run();
      run.figures = AvroRecords.readLocal(figures, SensorAggregate.class);
      run.quarantine = AvroRecords.readLocal(quarantine, QuarantineRecord.class);
      run.accounting = RecordAccounting.of(result);
      return run;
    } finally {
      org.apache.hadoop.fs.FileUtil.fullyDelete(dir);
    }
  }
}

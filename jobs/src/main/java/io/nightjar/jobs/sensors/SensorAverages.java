package io.nightjar.jobs.sensors;

import static io.nightjar.common.crunch.NightjarTypes.orQuarantine;
import static io.nightjar.common.crunch.NightjarTypes.quarantine;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.NightjarTypes;
import io.nightjar.common.crunch.QuarantiningDoFn;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.sensors.mapreduce.ReadingKey;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.crunch.Aggregator;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.FilterFn;
import org.apache.crunch.GroupingOptions;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.Tuple4;
import org.apache.crunch.fn.Aggregators;
import org.apache.crunch.lib.Channels;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.Avros;
import org.apache.crunch.types.writable.Writables;
import org.apache.hadoop.io.Writable;

/**
 * The sensor averages computation as Crunch building blocks: check readings (quarantining bad ones), remove
 * duplicates, and reduce to per-sensor figures per period. {@link SensorAveragesTool} wires them to files;
 * tests run them on {@code MemPipeline}.
 *
 * <p>Cost: {@link #distinctFigures} shuffles every reading once (grouped by sensor and period, sorted by timestamp),
 * since repeats can sit in different files; it is the expensive step (see bench/). {@link #figures}, for input known
 * to hold no repeats, groups by (sensor, period) with Crunch's {@link Aggregators}, pre-aggregated in the map task and
 * again in the combiner, so only partials (count, sum, min, max) cross its shuffle. The mean is sum/count of the final totals, never an average of averages.
 */
public final class SensorAverages {

  /** Skip reason: the same sensor, timestamp and value seen again; one copy is kept. */
  public static final String DUPLICATE_READING = "DUPLICATE_READING";
  /** Quarantine reason: the same sensor and timestamp with different values; none is kept. */
  public static final String CONFLICTING_DUPLICATE = "CONFLICTING_DUPLICATE";

  private static final PType<SensorReading> READINGS = Avros.specifics(SensorReading.class);
  private static final PType<Pair<String, Long>> SENSOR_AND_TIME = Avros.pairs(Avros.strings(), Avros.longs());
  private static final PType<Tuple4<Long, Double, Double, Double>> STATS =
      Avros.quads(Avros.longs(), Avros.doubles(), Avros.doubles(), Avros.doubles());

  private SensorAverages() {
  }

  /** Parses device lines for {@code day}: valid readings and quarantined lines. Counts every line as input. */
  public static Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> parseLines(
      PCollection<String> lines, LocalDate day) {
    return parseLines(lines, day, day);
  }

  /**
   * Parses device lines for the days {@code from} to {@code to}: valid readings and quarantined lines; readings of
   * other days are skipped ({@code OTHER_DAY}, counted per day under {@value #OTHER_DAYS}). Counts every line as
   * input, and attributes each to its day ({@link AccountedDoFn#countForDay}; a line without a readable day to
   * {@code from}).
   */
  public static Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> parseLines(
      PCollection<String> lines, LocalDate from, LocalDate to) {
    return Channels.split(lines.parallelDo("parse readings", new ParseLineFn(from, to), orQuarantine(READINGS)));
  }

  /** Checks Avro readings for {@code day}: valid readings and quarantined ones. Counts every reading as input. */
  public static Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> check(
      PCollection<SensorReading> readings, LocalDate day) {
    return check(readings, day, day);
  }

  /** Checks Avro readings for the days {@code from} to {@code to}, as {@link #parseLines} does lines. */
  public static Pair<PCollection<SensorReading>, PCollection<QuarantineRecord>> check(
      PCollection<SensorReading> readings, LocalDate from, LocalDate to) {
    return Channels.split(readings.parallelDo("check readings", new CheckReadingFn(from, to),
        orQuarantine(READINGS)));
  }

  /** The figures of one UTC day (by period start). */
  public static PCollection<SensorAggregate> ofDay(PCollection<SensorAggregate> figures, LocalDate day) {
    return figures.filter("figures of " + day, new FiguresOfDayFn(day));
  }

  /** The quarantine records of one day of a run over several days. */
  public static PCollection<QuarantineRecord> quarantineOfDay(PCollection<QuarantineRecord> quarantined,
      LocalDate day) {
    return quarantined.filter("quarantine of " + day, new QuarantineOfDayFn(day));
  }

  /** Counter group of readings skipped because they belong to a day the run was not asked for, by that day. */
  public static final String OTHER_DAYS = "nightjar.other-days";
  /**
   * Counter group and name of the quarantined inputs without a day (timestamp unreadable or implausible): charged to
   * the run's first day.
   */
  public static final String UNDATED = "nightjar.undated";
  public static final String UNDATED_QUARANTINED = "quarantined";

  /**
   * Count, min, max, sum and mean per sensor and period of the distinct readings, in one shuffle: readings are grouped
   * by (sensor, period) and sorted by timestamp within it (a secondary sort on {@link ReadingKey}, compared in its
   * serialized form), so the copies of a reading are adjacent. Exact repeats are skipped and counted
   * ({@value #DUPLICATE_READING}); the same sensor and timestamp with different values cannot be resolved and are
   * quarantined together ({@value #CONFLICTING_DUPLICATE}, one record). Every reading crosses the shuffle (repeats can
   * sit in different files), but only once: no second job.
   */
  public static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinctFigures(
      PCollection<SensorReading> readings, Granularity granularity) {
    return distinctFigures(readings, granularity, false);
  }

  /** As {@link #distinctFigures(PCollection, Granularity)}; in a run over several days, quarantine names the day. */
  public static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinctFigures(
      PCollection<SensorReading> readings, Granularity granularity, boolean severalDays) {
    PTable<ReadingKey, TimedValue> keyed = readings.parallelDo("key by sensor, period and time",
        new KeyBySensorPeriodAndTimeFn(granularity),
        Writables.tableOf(Writables.writables(ReadingKey.class), Writables.writables(TimedValue.class)));
    return Channels.split(keyed
        .groupByKey(GroupingOptions.builder()
            .sortComparatorClass(ReadingKey.SortComparator.class)
            .groupingComparatorClass(ReadingKey.GroupingComparator.class)
            .partitionerClass(ReadingKey.SensorPeriodPartitioner.class)
            .build())
        .parallelDo("distinct figures", new DistinctFiguresFn(granularity, severalDays),
            orQuarantine(Avros.specifics(SensorAggregate.class))));
  }

  /** A reading's timestamp and value, the shuffled value of {@link #distinctFigures}. */
  public static final class TimedValue implements Writable {
    private long timestamp;
    private double value;

    public TimedValue() {
    }

    TimedValue(long timestamp, double value) {
      this.timestamp = timestamp;
      this.value = value;
    }

    @Override
    public void write(DataOutput out) throws IOException {
      out.writeLong(timestamp);
      out.writeDouble(value);
    }

    @Override
    public void readFields(DataInput in) throws IOException {
      timestamp = in.readLong();
      value = in.readDouble();
    }
  }

  /**
   * Count, min, max, sum and mean per sensor and period. Counts every reading as output. Partials are combined in
   * the map task ({@link PartialFiguresFn}, up to {@value #MAX_KEYS_PER_TASK} sensor-periods held at once) and again
   * by the combiner, so the shuffle carries a few records per sensor-period, not one per reading.
   */
  public static PCollection<SensorAggregate> figures(PCollection<SensorReading> readings, Granularity granularity) {
    return readings
        .parallelDo("partial figures in map", new PartialFiguresFn(granularity, MAX_KEYS_PER_TASK),
            Avros.tableOf(SENSOR_AND_TIME, STATS))
        .groupByKey()
        .combineValues(statsAggregator())
        .parallelDo("to figures", new ToFiguresFn(granularity), Avros.specifics(SensorAggregate.class));
  }

  /** Sensor-periods a map task holds partials for before it flushes them (about 200 bytes each). */
  static final int MAX_KEYS_PER_TASK = 200_000;

  /** (count, sum, min, max) merged with Crunch's aggregators: sums carried, never averages of averages. */
  static Aggregator<Tuple4<Long, Double, Double, Double>> statsAggregator() {
    return Aggregators.quadAggregator(
        Aggregators.SUM_LONGS(), Aggregators.SUM_DOUBLES(), Aggregators.MIN_DOUBLES(), Aggregators.MAX_DOUBLES());
  }

  /** The published figures of one sensor-period from its totals: the mean is total sum / total count. */
  public static SensorAggregate figure(String sensorId, Granularity granularity, long periodStart, long count,
      double sum, double min, double max) {
    return SensorAggregate.newBuilder()
        .setSensorId(sensorId)
        .setGranularity(granularity)
        .setPeriodStart(periodStart)
        .setCount(count)
        .setSum(sum)
        .setMin(min)
        .setMax(max)
        .setMean(sum / count)
        .build();
  }

  /**
   * The one quarantine record of {@code occurrences} readings of a sensor at one timestamp with different values
   * ({@value #CONFLICTING_DUPLICATE}); in a run over several days it names the reading's day.
   */
  public static QuarantineRecord conflictingDuplicate(String sensorId, long timestamp, long occurrences, double min,
      double max, boolean severalDays) {
    String detail = occurrences + " readings with values from " + min + " to " + max;
    String raw = sensorId + "," + Instant.ofEpochMilli(timestamp) + ",[" + min + ".." + max + "]";
    return severalDays
        ? quarantine(CONFLICTING_DUPLICATE, detail, raw, occurrences, ReadingParser.dayOf(timestamp).toString())
        : quarantine(CONFLICTING_DUPLICATE, detail, raw, occurrences);
  }

  /** Routes a checked reading: valid ones on, skipped ones counted, bad ones to quarantine with the raw input. */
  abstract static class RouteReadingFn<S> extends QuarantiningDoFn<S, SensorReading> {
    private final String fromText;
    private final String toText;
    protected transient LocalDate from;
    protected transient LocalDate to;

    RouteReadingFn(LocalDate from, LocalDate to) {
      this.fromText = from.toString();
      this.toText = to.toString();
    }

    @Override
    public void initialize() {
      from = LocalDate.parse(fromText);
      to = LocalDate.parse(toText);
    }

    /** Counts the input record in, then routes its outcome; {@code raw} is rendered only when quarantined. */
    void route(ReadingParser.Outcome outcome, Object raw, Emitter<Pair<SensorReading, QuarantineRecord>> emitter) {
      countIn(1);
      switch (outcome.kind) {
        case VALID:
          pass(outcome.reading, emitter);
          break;
        case SKIP:
          countSkipped(outcome.reason, 1);
          if (outcome.reason.equals(ReadingParser.OTHER_DAY)) {
            increment(OTHER_DAYS, outcome.detail);
          } else {
            countForDay(fromText, RecordAccounting.SKIPPED, 1);
          }
          break;
        default:
          if (outcome.day == null) {
            increment(UNDATED, UNDATED_QUARANTINED);
          }
          // Charged to the reading's own day when its timestamp was read and asked for, else to the first day.
          String day = outcome.day != null && !outcome.day.isBefore(from) && !outcome.day.isAfter(to)
              ? outcome.day.toString() : fromText;
          countForDay(day, RecordAccounting.QUARANTINED, 1);
          quarantine(from.equals(to) ? NightjarTypes.quarantine(outcome.reason, outcome.detail, raw.toString(), 1)
              : NightjarTypes.quarantine(outcome.reason, outcome.detail, raw.toString(), 1, day), emitter);
      }
    }
  }

  /** Parses and checks a device line. */
  static final class ParseLineFn extends RouteReadingFn<String> {
    ParseLineFn(LocalDate from, LocalDate to) {
      super(from, to);
    }

    @Override
    public void process(String line, Emitter<Pair<SensorReading, QuarantineRecord>> emitter) {
      route(ReadingParser.parseLine(line, from, to), line, emitter);
    }
  }

  /** Checks an Avro reading. */
  static final class CheckReadingFn extends RouteReadingFn<SensorReading> {
    CheckReadingFn(LocalDate from, LocalDate to) {
      super(from, to);
    }

    @Override
    public void process(SensorReading reading, Emitter<Pair<SensorReading, QuarantineRecord>> emitter) {
      route(ReadingParser.check(reading, from, to), reading, emitter);
    }
  }

  /** (sensor, period start, timestamp) → (timestamp, value): the secondary sort's key and value. */
  static final class KeyBySensorPeriodAndTimeFn extends MapFn<SensorReading, Pair<ReadingKey, TimedValue>> {
    private final Granularity granularity;

    KeyBySensorPeriodAndTimeFn(Granularity granularity) {
      this.granularity = granularity;
    }

    @Override
    public Pair<ReadingKey, TimedValue> map(SensorReading reading) {
      long timestamp = reading.getTimestamp();
      ReadingKey key = new ReadingKey();
      key.set(reading.getSensorId(), Periods.start(timestamp, granularity), timestamp);
      return Pair.of(key, new TimedValue(timestamp, reading.getValue()));
    }
  }

  /** Builds figures from totals and counts what each stands for: out and written, in total and per day. */
  abstract static class FiguresFn<S, T> extends AccountedDoFn<S, T> {
    final Granularity granularity;

    FiguresFn(Granularity granularity) {
      this.granularity = granularity;
    }

    SensorAggregate countedFigure(String sensorId, long periodStart, long count, double sum, double min, double max) {
      countOut(count);
      String day = ReadingParser.dayOf(periodStart).toString();
      countForDay(day, RecordAccounting.OUT, count);
      countForDay(day, RecordAccounting.WRITTEN, 1);
      countWritten(1);
      return figure(sensorId, granularity, periodStart, count, sum, min, max);
    }
  }

  /**
   * One sensor-period's readings in timestamp order → its figures over one reading per timestamp, skipping exact
   * repeats and quarantining conflicting ones (one record per timestamp).
   */
  static final class DistinctFiguresFn
      extends FiguresFn<Pair<ReadingKey, Iterable<TimedValue>>, Pair<SensorAggregate, QuarantineRecord>> {
    private final boolean severalDays;

    DistinctFiguresFn(Granularity granularity, boolean severalDays) {
      super(granularity);
      this.severalDays = severalDays;
    }

    @Override
    public void process(Pair<ReadingKey, Iterable<TimedValue>> input,
        Emitter<Pair<SensorAggregate, QuarantineRecord>> emitter) {
      String sensorId = input.first().sensorId();
      long periodStart = input.first().periodStart();
      long count = 0;
      double sum = 0;
      double periodMin = Double.POSITIVE_INFINITY;
      double periodMax = Double.NEGATIVE_INFINITY;
      long timestamp = 0;
      long occurrences = 0;
      double min = 0;
      double max = 0;
      for (TimedValue reading : input.second()) {
        long t = reading.timestamp;
        double value = reading.value;
        if (occurrences > 0 && t == timestamp) {
          occurrences++;
          min = Math.min(min, value);
          max = Math.max(max, value);
          continue;
        }
        if (occurrences > 0 && resolve(sensorId, timestamp, occurrences, min, max, emitter)) {
          count++;
          sum += min;
          periodMin = Math.min(periodMin, min);
          periodMax = Math.max(periodMax, min);
        }
        timestamp = t;
        occurrences = 1;
        min = value;
        max = value;
      }
      if (occurrences > 0 && resolve(sensorId, timestamp, occurrences, min, max, emitter)) {
        count++;
        sum += min;
        periodMin = Math.min(periodMin, min);
        periodMax = Math.max(periodMax, min);
      }
      if (count > 0) {
        emitter.emit(Pair.of(countedFigure(sensorId, periodStart, count, sum, periodMin, periodMax), null));
      }
    }

    /** One timestamp's readings: true to keep one (repeats skipped), false when quarantined for conflicting. */
    private boolean resolve(String sensorId, long timestamp, long occurrences, double min, double max,
        Emitter<Pair<SensorAggregate, QuarantineRecord>> emitter) {
      if (min == max) {
        if (occurrences > 1) {
          countSkipped(DUPLICATE_READING, occurrences - 1);
          countForDay(ReadingParser.dayOf(timestamp).toString(), RecordAccounting.SKIPPED, occurrences - 1);
        }
        return true;
      }
      countQuarantined(CONFLICTING_DUPLICATE, occurrences);
      countForDay(ReadingParser.dayOf(timestamp).toString(), RecordAccounting.QUARANTINED, occurrences);
      emitter.emit(Pair.of(null, conflictingDuplicate(sensorId, timestamp, occurrences, min, max, severalDays)));
      return false;
    }
  }

  /**
   * In-mapper combining of readings into (count, sum, min, max) per (sensor, period start), emitted when the task's
   * input ends or {@code maxKeys} sensor-periods are held. Keeps mutable primitives per key and looks keys up with
   * one reused probe: a reading costs a hash lookup and four updates, where a generic pre-aggregation of Crunch
   * tuples built a key pair, a boxed 4-tuple and four boxed results per reading (20% of a map task's samples; the
   * combiner and reducer merge the partials with {@link #statsAggregator}).
   */
  static final class PartialFiguresFn
      extends DoFn<SensorReading, Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>>> {
    private final Granularity granularity;
    private final int maxKeys;
    private transient Map<SensorPeriod, double[]> partials;
    private transient SensorPeriod probe;

    PartialFiguresFn(Granularity granularity, int maxKeys) {
      this.granularity = granularity;
      this.maxKeys = maxKeys;
    }

    @Override
    public void initialize() {
      partials = new HashMap<>();
      probe = new SensorPeriod();
    }

    @Override
    public void process(SensorReading reading,
        Emitter<Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>>> emitter) {
      double value = reading.getValue();
      probe.sensorId = reading.getSensorId();
      probe.periodStart = Periods.start(reading.getTimestamp(), granularity);
      double[] stats = partials.get(probe); // count, sum, min, max
      if (stats == null) {
        if (partials.size() >= maxKeys) {
          flush(emitter);
        }
        partials.put(new SensorPeriod(probe.sensorId, probe.periodStart), new double[] {1, value, value, value});
        return;
      }
      stats[0]++;
      stats[1] += value;
      stats[2] = Math.min(stats[2], value);
      stats[3] = Math.max(stats[3], value);
    }

    @Override
    public void cleanup(Emitter<Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>>> emitter) {
      flush(emitter);
    }

    private void flush(Emitter<Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>>> emitter) {
      partials.forEach((key, stats) -> emitter.emit(Pair.of(Pair.of(key.sensorId, key.periodStart),
          Tuple4.of((long) stats[0], stats[1], stats[2], stats[3]))));
      partials.clear();
    }
  }

  /** A (sensor, period start) key of {@link PartialFiguresFn}'s map. */
  static final class SensorPeriod {
    String sensorId;
    long periodStart;

    SensorPeriod() {
    }

    SensorPeriod(String sensorId, long periodStart) {
      this.sensorId = sensorId;
      this.periodStart = periodStart;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SensorPeriod && ((SensorPeriod) o).periodStart == periodStart
          && ((SensorPeriod) o).sensorId.equals(sensorId);
    }

    @Override
    public int hashCode() {
      return sensorId.hashCode() * 31 + Long.hashCode(periodStart);
    }
  }

  /** Final totals → a {@link SensorAggregate}; counts the readings it stands for as output. */
  static final class ToFiguresFn
      extends FiguresFn<Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>>, SensorAggregate> {
    ToFiguresFn(Granularity granularity) {
      super(granularity);
    }

    @Override
    public void process(Pair<Pair<String, Long>, Tuple4<Long, Double, Double, Double>> input,
        Emitter<SensorAggregate> emitter) {
      Tuple4<Long, Double, Double, Double> stats = input.second();
      emitter.emit(countedFigure(input.first().first(), input.first().second(), stats.first(), stats.second(),
          stats.third(), stats.fourth()));
    }
  }

  /** Keeps the figures whose period starts on one UTC day. */
  static final class FiguresOfDayFn extends FilterFn<SensorAggregate> {
    private final long dayStart;

    FiguresOfDayFn(LocalDate day) {
      this.dayStart = day.toEpochDay() * Periods.DAY_MILLIS;
    }

    @Override
    public boolean accept(SensorAggregate figure) {
      return figure.getPeriodStart() >= dayStart && figure.getPeriodStart() < dayStart + Periods.DAY_MILLIS;
    }
  }

  /** Keeps the quarantine records attributed to one day. */
  static final class QuarantineOfDayFn extends FilterFn<QuarantineRecord> {
    private final String day;

    QuarantineOfDayFn(LocalDate day) {
      this.day = day.toString();
    }

    @Override
    public boolean accept(QuarantineRecord record) {
      return day.equals(record.getDay());
    }
  }
}

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
import java.util.Arrays;
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
import org.apache.hadoop.io.WritableUtils;

/**
 * The sensor averages computation as Crunch building blocks: check readings (quarantining bad ones), remove
 * duplicates, and reduce to per-sensor figures per period. {@link SensorAveragesTool} wires them to files;
 * tests run them on {@code MemPipeline}.
 *
 * <p>Cost: {@link #distinctFigures} shuffles every reading once, since repeats can sit in different files, in sorted
 * batches per sensor and hour; it is the expensive step (see bench/). {@link #figures}, for input known
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
   * Count, min, max, sum and mean per sensor and period of the distinct readings, in one shuffle. Each map task
   * gathers its readings per sensor and hour (the period, if shorter), sorted by timestamp with the copies of a
   * timestamp merged into one entry (how often it was read, its lowest and highest value): a {@link TimedBatch}, so
   * the shuffle sorts a record per sensor-hour a task holds each time it sends them on, not one per reading. The reduce
   * side groups the batches by (sensor, period) in bucket order (a secondary sort on {@link ReadingKey}, whose third
   * field is here the bucket's start, compared in its serialized form), merges each bucket's batches, skips and counts
   * exact repeats ({@value #DUPLICATE_READING}) and quarantines the same sensor and timestamp with different values
   * together ({@value #CONFLICTING_DUPLICATE}, one record). Every reading crosses the shuffle (repeats can sit in
   * different files), but only once: no second job.
   *
   * <p>Memory: a map task holds up to {@value #MAX_READINGS_PER_TASK} readings (32 bytes each, up to twice that while
   * arrays grow) in up to {@value #MAX_KEYS_PER_TASK} batches (about 300 bytes each besides): at most about 100 MB,
   * about 35 MB when the task's sensor-hours are a few thousand. A reduce task holds one sensor's bucket at a time: an
   * entry per distinct timestamp per batch sent (about 80 bytes each at the peak), so a sensor read a thousand times a
   * second holds about 300 MB for an hour; for such a sensor, use MINUTE periods (a bucket is then a minute).
   */
  public static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinctFigures(
      PCollection<SensorReading> readings, Granularity granularity) {
    return distinctFigures(readings, granularity, false);
  }

  /** As {@link #distinctFigures(PCollection, Granularity)}; in a run over several days, quarantine names the day. */
  public static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinctFigures(
      PCollection<SensorReading> readings, Granularity granularity, boolean severalDays) {
    return distinctFigures(readings, granularity, severalDays, MAX_READINGS_PER_TASK);
  }

  /** As {@link #distinctFigures(PCollection, Granularity, boolean)}, a map task holding up to {@code maxReadings}. */
  static Pair<PCollection<SensorAggregate>, PCollection<QuarantineRecord>> distinctFigures(
      PCollection<SensorReading> readings, Granularity granularity, boolean severalDays, int maxReadings) {
    PTable<ReadingKey, TimedBatch> batches = readings.parallelDo("batch by sensor and hour",
        new BatchBySensorAndHourFn(granularity, maxReadings, MAX_KEYS_PER_TASK),
        Writables.tableOf(Writables.writables(ReadingKey.class), Writables.writables(TimedBatch.class)));
    return Channels.split(batches
        .groupByKey(GroupingOptions.builder()
            .sortComparatorClass(ReadingKey.SortComparator.class)
            .groupingComparatorClass(ReadingKey.GroupingComparator.class)
            .partitionerClass(ReadingKey.SensorPeriodPartitioner.class)
            .build())
        .parallelDo("distinct figures", new DistinctFiguresFn(granularity, severalDays),
            orQuarantine(Avros.specifics(SensorAggregate.class))));
  }

  /** Readings a map task of {@link #distinctFigures} holds in its batches before it sends them on. */
  static final int MAX_READINGS_PER_TASK = 500_000;

  /** The span of a {@link TimedBatch}: an hour, or the period if that is shorter. */
  static Granularity bucketOf(Granularity granularity) {
    return granularity == Granularity.MINUTE ? Granularity.MINUTE : Granularity.HOUR;
  }

  /**
   * One sensor's readings within one bucket ({@link #bucketOf}), each timestamp once with how often it was read
   * and its lowest and highest value: the shuffled value of {@link #distinctFigures}. {@link #compact} sorts the
   * entries by timestamp and merges entries of one timestamp; written compacted, timestamps as deltas.
   */
  public static final class TimedBatch implements Writable {
    private long bucketStart;
    private int size;
    private long[] timestamps = new long[4];
    private long[] occurrences = new long[4];
    private double[] mins = new double[4];
    private double[] maxes = new double[4];

    public TimedBatch() {
    }

    TimedBatch(long bucketStart) {
      this.bucketStart = bucketStart;
    }

    long bucketStart() {
      return bucketStart;
    }

    int size() {
      return size;
    }

    /** Entry {@code i} as "timestamp occurrences min max". */
    String entry(int i) {
      return timestamps[i] + " " + occurrences[i] + " " + mins[i] + " " + maxes[i];
    }

    void clear(long start) {
      bucketStart = start;
      size = 0;
    }

    void add(long timestamp, long count, double min, double max) {
      if (size == timestamps.length) {
        grow(size * 2);
      }
      timestamps[size] = timestamp;
      occurrences[size] = count;
      mins[size] = min;
      maxes[size] = max;
      size++;
    }

    void addAll(TimedBatch other) {
      for (int i = 0; i < other.size; i++) {
        add(other.timestamps[i], other.occurrences[i], other.mins[i], other.maxes[i]);
      }
    }

    /**
     * Sorts the entries by timestamp and merges those of one timestamp (occurrences added, lowest and highest value
     * kept). Sorts primitive longs: the offset in the bucket (under 2^22 ms) above the entry's index.
     */
    void compact() {
      long[] order = new long[size];
      for (int i = 0; i < size; i++) {
        order[i] = (timestamps[i] - bucketStart) << 32 | i;
      }
      Arrays.sort(order);
      long[] t = new long[size];
      long[] n = new long[size];
      double[] lo = new double[size];
      double[] hi = new double[size];
      int merged = 0;
      for (long packed : order) {
        int i = (int) packed;
        if (merged > 0 && t[merged - 1] == timestamps[i]) {
          n[merged - 1] += occurrences[i];
          lo[merged - 1] = Math.min(lo[merged - 1], mins[i]);
          hi[merged - 1] = Math.max(hi[merged - 1], maxes[i]);
        } else {
          t[merged] = timestamps[i];
          n[merged] = occurrences[i];
          lo[merged] = mins[i];
          hi[merged] = maxes[i];
          merged++;
        }
      }
      timestamps = t;
      occurrences = n;
      mins = lo;
      maxes = hi;
      size = merged;
    }

    private void grow(int capacity) {
      int length = Math.max(4, capacity);
      timestamps = Arrays.copyOf(timestamps, length);
      occurrences = Arrays.copyOf(occurrences, length);
      mins = Arrays.copyOf(mins, length);
      maxes = Arrays.copyOf(maxes, length);
    }

    @Override
    public void write(DataOutput out) throws IOException {
      WritableUtils.writeVLong(out, bucketStart);
      WritableUtils.writeVInt(out, size);
      long previous = bucketStart;
      for (int i = 0; i < size; i++) {
        WritableUtils.writeVLong(out, timestamps[i] - previous);
        previous = timestamps[i];
        // By bits, not ==: -0.0 and 0.0 are equal but print differently, and a quarantine record prints them.
        boolean spread = Double.doubleToRawLongBits(mins[i]) != Double.doubleToRawLongBits(maxes[i]);
        WritableUtils.writeVLong(out, occurrences[i] << 1 | (spread ? 1 : 0));
        out.writeDouble(mins[i]);
        if (spread) {
          out.writeDouble(maxes[i]);
        }
      }
    }

    @Override
    public void readFields(DataInput in) throws IOException {
      bucketStart = WritableUtils.readVLong(in);
      size = 0;
      int entries = WritableUtils.readVInt(in);
      if (entries > timestamps.length) {
        grow(entries);
      }
      long timestamp = bucketStart;
      for (int i = 0; i < entries; i++) {
        timestamp += WritableUtils.readVLong(in);
        long flagged = WritableUtils.readVLong(in);
        double min = in.readDouble();
        double max = (flagged & 1) != 0 ? in.readDouble() : min;
        add(timestamp, flagged >>> 1, min, max);
      }
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

  /**
   * Readings → one {@link TimedBatch} per sensor and bucket, keyed (sensor, period start, bucket start): the map side
   * of {@link SensorAverages#distinctFigures}. Holds up to {@code maxReadings} readings in up to {@code maxKeys}
   * batches, then sends them on, each sorted and with repeats merged; again when the task's input ends.
   */
  static final class BatchBySensorAndHourFn extends DoFn<SensorReading, Pair<ReadingKey, TimedBatch>> {
    private final Granularity granularity;
    private final int maxReadings;
    private final int maxKeys;
    private transient Granularity bucket;
    private transient Map<SensorPeriod, TimedBatch> batches;
    private transient SensorPeriod probe;
    private transient int held;

    BatchBySensorAndHourFn(Granularity granularity, int maxReadings, int maxKeys) {
      this.granularity = granularity;
      this.maxReadings = maxReadings;
      this.maxKeys = maxKeys;
    }

    @Override
    public void initialize() {
      bucket = bucketOf(granularity);
      batches = new HashMap<>();
      probe = new SensorPeriod();
      held = 0;
    }

    @Override
    public void process(SensorReading reading, Emitter<Pair<ReadingKey, TimedBatch>> emitter) {
      long timestamp = reading.getTimestamp();
      double value = reading.getValue();
      probe.sensorId = reading.getSensorId();
      probe.periodStart = Periods.start(timestamp, bucket); // the bucket's start
      TimedBatch batch = batches.get(probe);
      if (batch == null) {
        if (batches.size() >= maxKeys) {
          flush(emitter);
        }
        batch = new TimedBatch(probe.periodStart);
        batches.put(new SensorPeriod(probe.sensorId, probe.periodStart), batch);
      }
      batch.add(timestamp, 1, value, value);
      if (++held >= maxReadings) {
        flush(emitter);
      }
    }

    @Override
    public void cleanup(Emitter<Pair<ReadingKey, TimedBatch>> emitter) {
      flush(emitter);
    }

    private void flush(Emitter<Pair<ReadingKey, TimedBatch>> emitter) {
      batches.forEach((key, batch) -> {
        batch.compact();
        ReadingKey readingKey = new ReadingKey();
        readingKey.set(key.sensorId, Periods.start(key.periodStart, granularity), key.periodStart);
        emitter.emit(Pair.of(readingKey, batch));
      });
      batches.clear();
      held = 0;
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
   * One sensor-period's batches in bucket order → its figures over one reading per timestamp, skipping exact repeats
   * and quarantining conflicting ones (one record per timestamp). Each bucket's batches are merged and resolved in
   * timestamp order, so totals are summed in the same order whatever the batches.
   */
  static final class DistinctFiguresFn
      extends FiguresFn<Pair<ReadingKey, Iterable<TimedBatch>>, Pair<SensorAggregate, QuarantineRecord>> {
    private final boolean severalDays;

    DistinctFiguresFn(Granularity granularity, boolean severalDays) {
      super(granularity);
      this.severalDays = severalDays;
    }

    @Override
    public void process(Pair<ReadingKey, Iterable<TimedBatch>> input,
        Emitter<Pair<SensorAggregate, QuarantineRecord>> emitter) {
      String sensorId = input.first().sensorId();
      long periodStart = input.first().periodStart();
      Totals totals = new Totals();
      TimedBatch bucket = new TimedBatch();
      for (TimedBatch batch : input.second()) { // in bucket order: the secondary sort
        if (bucket.size() > 0 && batch.bucketStart() != bucket.bucketStart()) {
          resolveBucket(sensorId, bucket, totals, emitter);
        }
        if (bucket.size() == 0) {
          bucket.clear(batch.bucketStart());
        }
        bucket.addAll(batch);
      }
      resolveBucket(sensorId, bucket, totals, emitter);
      if (totals.count > 0) {
        emitter.emit(Pair.of(countedFigure(sensorId, periodStart, totals.count, totals.sum, totals.min, totals.max),
            null));
      }
    }

    /** Resolves one bucket's timestamps in order, adds the kept readings to {@code totals}, and empties it. */
    private void resolveBucket(String sensorId, TimedBatch bucket, Totals totals,
        Emitter<Pair<SensorAggregate, QuarantineRecord>> emitter) {
      bucket.compact();
      for (int i = 0; i < bucket.size(); i++) {
        double min = bucket.mins[i];
        if (resolve(sensorId, bucket.timestamps[i], bucket.occurrences[i], min, bucket.maxes[i], emitter)) {
          totals.count++;
          totals.sum += min;
          totals.min = Math.min(totals.min, min);
          totals.max = Math.max(totals.max, min);
        }
      }
      bucket.clear(bucket.bucketStart());
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

  /** A sensor-period's running figures over its kept readings. */
  static final class Totals {
    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
  }

  /** A (sensor, period or bucket start) key of {@link PartialFiguresFn}'s and {@link BatchBySensorAndHourFn}'s maps. */
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

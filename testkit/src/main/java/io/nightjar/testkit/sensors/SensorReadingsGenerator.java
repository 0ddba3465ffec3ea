package io.nightjar.testkit.sensors;

import io.nightjar.avro.SensorReading;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.testkit.FilesOption;
import io.nightjar.testkit.OutputOption;
import io.nightjar.testkit.ReadingDuplicatesOptions;
import io.nightjar.testkit.SeedOption;
import io.nightjar.testkit.SensorDataOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Random;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate-sensor-readings}: seeded synthetic readings for one UTC day, reproducible (same options, same
 * files). Each sensor reports at evenly spaced, distinct times, in time order across sensors, as devices stream them;
 * values wander around a per-sensor level. Optionally adds exact duplicates, conflicting readings (same sensor and
 * timestamp, another value) and, in CSV, bad lines of every kind the parser quarantines. Writes through Hadoop's FileSystem, so any file system URI works.
 */
@Command(name = "generate-sensor-readings", sortOptions = false,
    description = "Write seeded synthetic sensor readings for one UTC day (Avro or CSV).")
public final class SensorReadingsGenerator extends NightjarTool<Plan> {

  private static final long DAY_MILLIS = 86_400_000L;
  private static final DateTimeFormatter DEVICE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String[] BAD_LINES = {
      "%s,%s", "%s,%s,1.0,extra", "%s,not-a-time,%s", "%s,%s,abc", "%s,%s,NaN", "%s,%s,Infinity", ",%s,%s",
      "%s,1999-12-31 23:59:59,%s"};

  @Mixin
  private OutputOption output;

  @Mixin
  private DayOption date;

  @Mixin
  private final SensorDataOptions data = new SensorDataOptions(100, 10_000);

  @Mixin
  private FilesOption files;

  @Option(names = "--format", defaultValue = "avro", description = "avro or csv (default: ${DEFAULT-VALUE}).")
  private String format;

  @Mixin
  private final ReadingDuplicatesOptions repeats = new ReadingDuplicatesOptions(0, 0);

  @Option(names = "--bad-fraction", defaultValue = "0",
      description = "CSV only: fraction of extra bad lines, of every kind (default: ${DEFAULT-VALUE}).")
  private double badFraction;

  @Mixin
  private SeedOption seed;

  @Override
  protected Plan plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("output", output.get());
    plan.put("readings", data.readings + " from " + data.sensors + " sensors in " + files.get() + " " + format + " file(s)");
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    int sensors = data.sensors;
    long readings = data.readings;
    Path dir = new Path(output.get());
    FileSystem fs = dir.getFileSystem(getConf());
    fs.mkdirs(dir);
    boolean csv = format.equalsIgnoreCase("csv");
    Random random = new Random(seed.get());
    double[] levels = new double[sensors];
    for (int s = 0; s < sensors; s++) {
      levels[s] = 10 + random.nextDouble() * 20;
    }
    long perSensor = (readings + sensors - 1) / sensors;
    long spacing = Math.max(1, DAY_MILLIS / perSensor);
    long dayStart = date.get().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long perFile = (readings + files.get() - 1) / files.get();
    long written = 0;
    long duplicates = 0;
    long conflicts = 0;
    long bad = 0;
    for (int f = 0; f < files.get() && written < readings; f++) {
      Path file = new Path(dir, String.format("readings-%05d.%s", f, csv ? "csv" : "avro"));
      try (ReadingSink sink = csv ? new CsvSink(fs.create(file, true)) : new AvroSink(fs.create(file, true))) {
        for (long n = 0; n < perFile && written < readings; n++, written++) {
          int sensor = (int) (written % sensors);
          long slot = written / sensors;
          long timestamp = dayStart + slot * spacing + (csv ? 0 : random.nextInt((int) Math.min(spacing, 1000)));
          if (csv) {
            timestamp -= timestamp % 1000;
          }
          double value = Math.round((levels[sensor] + random.nextGaussian()) * 1000) / 1000.0;
          SensorReading reading = new SensorReading(String.format("sensor-%04d", sensor), timestamp, value);
          sink.write(reading);
          if (random.nextDouble() < repeats.duplicateFraction) {
            sink.write(reading);
            duplicates++;
          }
          // No draw unless asked: every seed gives the files it gave before.
          if (repeats.conflictFraction > 0 && random.nextDouble() < repeats.conflictFraction) {
            sink.write(new SensorReading(reading.getSensorId(), timestamp, value + 1));
            conflicts++;
          }
          if (csv && random.nextDouble() < badFraction) {
            String template = BAD_LINES[(int) (bad++ % BAD_LINES.length)];
            ((CsvSink) sink).writeLine(String.format(template, reading.getSensorId(), deviceTime(timestamp),
                reading.getValue()));
          }
        }
      }
    }
    out.printf("wrote %d readings (+%d exact duplicates, +%d conflicting, +%d bad lines) to %s%n", written, duplicates,
        conflicts, bad, dir);
    return 0;
  }

  static String deviceTime(long timestamp) {
    return DEVICE_TIME.format(Instant.ofEpochMilli(timestamp).atOffset(ZoneOffset.UTC));
  }

  private interface ReadingSink extends AutoCloseable {
    void write(SensorReading reading) throws IOException;

    @Override
    void close() throws IOException;
  }

  private static final class CsvSink implements ReadingSink {
    private final BufferedWriter writer;

    CsvSink(FSDataOutputStream out) {
      writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    @Override
    public void write(SensorReading reading) throws IOException {
      writeLine(reading.getSensorId() + "," + deviceTime(reading.getTimestamp()) + "," + reading.getValue());
    }

    void writeLine(String line) throws IOException {
      writer.write(line);
      writer.write('\n');
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  private static final class AvroSink implements ReadingSink {
    private final DataFileWriter<SensorReading> writer;

    AvroSink(FSDataOutputStream out) throws IOException {
      writer = new DataFileWriter<>(new SpecificDatumWriter<>(SensorReading.class));
      writer.setCodec(CodecFactory.snappyCodec());
      writer.create(SensorReading.getClassSchema(), out);
    }

    @Override
    public void write(SensorReading reading) throws IOException {
      writer.append(reading);
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }
}

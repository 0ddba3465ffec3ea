package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.dataset.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Broken Avro input as MapReduce on an in-process HDFS: each class of damage must fail the day with a one-line
 * reason naming the problem, publish nothing (no day folder, no staging left behind), and leave the previous day
 * as it was. Plus a reader polling for the day while a run publishes it: it sees nothing, or the whole day.
 */
public class BadInputFaultsIT {

  private static final String GOOD_DAY = "2016-05-01";

  @ClassRule
  public static final HdfsTestCluster hdfs = new HdfsTestCluster();
  private static FileSystem fs;
  private static byte[] goodFile;

  @BeforeClass
  public static void start() throws Exception {
    fs = hdfs.fs();
    Path good = new Path("/nightjar/sensors/readings/" + GOOD_DAY);
    assertEquals(0, hdfs.run("generate-sensor-readings", "--date", GOOD_DAY, "--output", good.toString(),
        "--readings", "20000", "--sensors", "50"));
    goodFile = readAll(fs.listStatus(good, p -> p.getName().endsWith(".avro"))[0].getPath());
  }

  @Test
  public void emptyDayFolderFailsTheDay() throws Exception {
    fs.mkdirs(readings("2016-06-01"));
    assertRefused("2016-06-01", "no input");
  }

  @Test
  public void zeroByteAvroFileFailsTheDay() throws Exception {
    write("2016-06-02", new byte[0]);
    assertRefused("2016-06-02", "readings.avro: not an Avro data file (0 bytes");
  }

  @Test
  public void fileWithAnotherSchemaFailsTheDay() throws Exception {
    Path file = new Path(readings("2016-06-03"), "figures.avro");
    try (OutputStream out = fs.create(file);
        DataFileWriter<SensorAggregate> writer = new DataFileWriter<>(new SpecificDatumWriter<>(SensorAggregate.class))) {
      writer.create(SensorAggregate.getClassSchema(), out);
      writer.append(SensorAggregate.newBuilder().setSensorId("s1").setGranularity(io.nightjar.avro.Granularity.DAY)
          .setPeriodStart(0L).setCount(1L).setMin(1.0).setMax(1.0).setSum(1.0).setMean(1.0).build());
    }
    assertRefused("2016-06-03", "written as io.nightjar.avro.SensorAggregate, which cannot be read as io.nightjar.avro.SensorReading");
  }

  @Test
  public void truncatedAvroFileFailsTheDay() throws Exception {
    // Avro's own reader would stop at the cut as if the file ended there, losing the rest without an error.
    write("2016-06-04", Arrays.copyOf(goodFile, goodFile.length * 2 / 3));
    assertRefused("2016-06-04", "readings.avro: truncated: it does not end with its sync marker");
  }

  @Test
  public void corruptBlockInTheMiddleFailsTheDay() throws Exception {
    byte[] corrupt = goodFile.clone();
    for (int i = corrupt.length / 2; i < corrupt.length / 2 + 64; i++) {
      corrupt[i] = (byte) 0xff;
    }
    write("2016-06-05", corrupt);
    // Not visible from outside the block: the map task fails (FAILED_TO_UNCOMPRESS in the task log).
    assertRefused("2016-06-05", "a MapReduce job of the pipeline failed");
  }

  @Test
  public void aBlockClaimingTwoGigabytesFailsTheTaskReadingItAndTheDayNamesIt() throws Exception {
    // The check before the job reads the header and the end only; the map task checks each block before Avro would
    // allocate it (2 GB here), and the failed run walks the inputs to name the file.
    int firstBlock;
    try (DataFileReader<Object> reader = new DataFileReader<>(new SeekableByteArrayInput(goodFile),
        new GenericDatumReader<>())) {
      reader.sync(0);
      firstBlock = (int) reader.previousSync();
    }
    int sizeAt = firstBlock + varintLength(goodFile, firstBlock);
    ByteArrayOutputStream damaged = new ByteArrayOutputStream();
    damaged.write(goodFile, 0, sizeAt);
    damaged.write(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}); // zig-zag 2^31 - 1
    int after = sizeAt + varintLength(goodFile, sizeAt);
    damaged.write(goodFile, after, goodFile.length - after);
    write("2016-06-06", damaged.toByteArray());
    assertRefused("2016-06-06", "readings.avro is damaged: block at byte " + firstBlock + " claims 2147483647 bytes");
  }

  private static int varintLength(byte[] bytes, int at) {
    int i = at;
    while ((bytes[i] & 0x80) != 0) {
      i++;
    }
    return i - at + 1;
  }

  @Test
  public void aReaderPollingDuringARunSeesNothingOrTheWholeDay() throws Exception {
    Path day = new Path("/nightjar/sensors/sensor-averages-day/" + GOOD_DAY);
    List<String> partialSightings = new ArrayList<>();
    List<TreeSet<String>> sightings = new ArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger polls = new AtomicInteger();
    Thread reader = new Thread(() -> {
      while (running.get()) {
        polls.incrementAndGet();
        try {
          if (fs.exists(day)) {
            TreeSet<String> names = new TreeSet<>();
            for (FileStatus file : fs.listStatus(day)) {
              names.add(file.getPath().getName() + ":" + file.getLen());
            }
            if (names.stream().noneMatch(n -> n.startsWith(Dataset.SUCCESS_FLAG + ":"))) {
              partialSightings.add(names.toString());
            }
            sightings.add(names);
          }
        } catch (IOException e) {
          // The folder vanished between exists() and listStatus(): a rename, not a partial day.
        }
      }
    });
    reader.start();
    int status = hdfs.run("sensor-averages", "--date", GOOD_DAY);
    Thread.sleep(200);
    running.set(false);
    reader.join();

    assertEquals(0, status);
    assertTrue("the reader polled during the run: " + polls.get(), polls.get() > 100);
    assertEquals("folders seen without _SUCCESS", new ArrayList<String>(), partialSightings);
    assertFalse("the reader saw the published day", sightings.isEmpty());
    TreeSet<String> last = sightings.get(sightings.size() - 1);
    for (TreeSet<String> seen : sightings) {
      assertEquals("every sighting is the complete day", last, seen);
    }
    assertEquals(50, hdfs.readAvro(day, SensorAggregate.class).size());
  }

  private static Path readings(String date) {
    return new Path("/nightjar/sensors/readings/" + date);
  }

  private static void write(String date, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(new Path(readings(date), "readings.avro"))) {
      out.write(bytes);
    }
  }

  /** Runs the day: exit 1, a reason on stderr containing {@code expected}, nothing published, nothing left over. */
  private static void assertRefused(String date, String expected) throws IOException {
    Printed printed = Printed.by(() -> hdfs.run("sensor-averages", "--date", date, "--input-format", "avro"));
    int status = printed.status;
    String err = printed.err;
    String reason = err.lines().filter(l -> l.startsWith("sensor-averages failed")).reduce((a, b) -> b).orElse(err);
    System.out.println(date + ": exit " + status + ": " + reason);
    assertEquals(err, 1, status);
    assertTrue(reason, reason.contains(expected));
    Path dataset = new Path("/nightjar/sensors/sensor-averages-day");
    assertFalse(fs.exists(new Path(dataset, date)));
    if (fs.exists(dataset)) {
      for (FileStatus status2 : fs.listStatus(dataset)) {
        assertFalse(status2.getPath().getName(), status2.getPath().getName().startsWith("_staging"));
      }
    }
  }

  private static byte[] readAll(Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = fs.open(file)) {
      IOUtils.copyBytes(in, out, 65536);
    }
    return out.toByteArray();
  }
}

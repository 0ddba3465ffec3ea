package io.nightjar.common.avro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.Impression;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AvroBlockSampleTest {

  @ClassRule
  public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final int RECORDS_PER_FILE = 100_000;
  private static File dir;

  /** Two files of unsorted impressions: "hot" 30%, "warm" 5%, one null ad id in 1000, the rest spread over 5000 ads. */
  @BeforeClass
  public static void writeFiles() throws IOException {
    dir = TMP.newFolder("impressions");
    Random random = new Random(7);
    for (int f = 0; f < 2; f++) {
      try (DataFileWriter<Impression> writer = new DataFileWriter<>(new SpecificDatumWriter<>(Impression.class))) {
        writer.setCodec(CodecFactory.snappyCodec()).setSyncInterval(4096); // many blocks, as a large file has
        writer.create(Impression.SCHEMA$, new File(dir, "part-" + f + ".avro"));
        for (int i = 0; i < RECORDS_PER_FILE; i++) {
          double draw = random.nextDouble();
          String ad = draw < 0.30 ? "hot" : draw < 0.35 ? "warm" : draw < 0.351 ? null : "ad-" + random.nextInt(5000);
          writer.append(new Impression("i-" + f + "-" + i, ad, 1462060800000L + i, "u-" + random.nextInt(1000), "phone",
              "NL"));
        }
      }
    }
  }

  private static Map<String, Long> estimate(double fraction, long seed) throws IOException {
    return AvroBlockSample.estimateCounts(new Configuration(), List.of(new Path(dir.getAbsolutePath())), "adId",
        fraction, seed);
  }

  @Test
  public void aFewPercentOfTheBlocksEstimateTheHotKeys() throws IOException {
    Map<String, Long> estimates = estimate(0.05, 1);
    long total = estimates.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(2 * RECORDS_PER_FILE, total, 0.05 * 2 * RECORDS_PER_FILE);
    assertEquals(60_000, estimates.get("hot"), 0.10 * 60_000);
    assertEquals(10_000, estimates.get("warm"), 0.25 * 10_000);
    // a sample: most of the 5000 cold ads were not seen
    assertTrue(estimates.size() < 5000);
  }

  @Test
  public void aFileOfOneBlockIsAlwaysSampled() throws IOException {
    File small = TMP.newFolder("one-block");
    try (DataFileWriter<Impression> writer = new DataFileWriter<>(new SpecificDatumWriter<>(Impression.class))) {
      writer.create(Impression.SCHEMA$, new File(small, "part-0.avro"));
      for (int i = 0; i < 50; i++) {
        writer.append(new Impression("i-" + i, i < 40 ? "hot" : "cold", 1462060800000L + i, null, null, null));
      }
    }
    for (long seed = 0; seed < 20; seed++) { // whatever position is drawn, the one block is found
      Map<String, Long> counts = AvroBlockSample.estimateCounts(new Configuration(),
          List.of(new Path(small.getAbsolutePath())), "adId", 0.01, seed);
      assertEquals("seed " + seed, Map.of("hot", 40L, "cold", 10L), counts);
    }
  }

  @Test
  public void theSameSeedGivesTheSameEstimate() throws IOException {
    // The files are sampled in parallel: each from its own draw, summed in file order.
    for (int i = 0; i < 5; i++) {
      assertEquals(estimate(0.05, 3), estimate(0.05, 3));
    }
    assertNotEquals("another seed, other blocks", estimate(0.05, 3), estimate(0.05, 4));
  }

  @Test
  public void aFieldTheFilesDoNotHaveFailsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AvroBlockSample.estimateCounts(new Configuration(), List.of(new Path(dir.getAbsolutePath())), "adid",
            0.05, 1));
    assertTrue(e.getMessage(), e.getMessage().contains("no field adid to count by"));
    assertTrue(e.getMessage(), e.getMessage().contains(".avro"));
  }

  @Test
  public void theWholeFileCountsExactly() throws IOException {
    Map<String, Long> counts = estimate(1.0, 1);
    assertEquals(2 * RECORDS_PER_FILE, counts.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(counts.get("hot") > 55_000 && counts.get("hot") < 65_000);
    assertTrue(counts.containsKey(""));
  }

  @Test
  public void moreFilesThanThreadsGiveOneEstimateWhicheverFinishesFirst() throws IOException {
    File many = TMP.newFolder("many");
    Random random = new Random(11);
    for (int f = 0; f < 3 * AvroBlockSample.THREADS; f++) {
      try (DataFileWriter<Impression> writer = new DataFileWriter<>(new SpecificDatumWriter<>(Impression.class))) {
        writer.setSyncInterval(2048);
        writer.create(Impression.SCHEMA$, new File(many, "part-" + f + ".avro"));
        for (int i = 0; i < 5_000; i++) {
          writer.append(new Impression("i-" + f + "-" + i, random.nextInt(4) == 0 ? "hot" : "ad-" + random.nextInt(500),
              1462060800000L + i, null, null, null));
        }
      }
    }
    List<Path> folder = List.of(new Path(many.getAbsolutePath()));
    Map<String, Long> estimate = AvroBlockSample.estimateCounts(new Configuration(), folder, "adId", 0.2, 5);
    for (int i = 0; i < 3; i++) {
      assertEquals(estimate, AvroBlockSample.estimateCounts(new Configuration(), folder, "adId", 0.2, 5));
    }
    assertEquals("a quarter of 12 files of 5,000", 0.25 * 12 * 5_000, estimate.get("hot"), 0.15 * 0.25 * 12 * 5_000);
  }
}

package io.nightjar.testkit.ads;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.Impression;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.testkit.AdDataOptions;
import io.nightjar.testkit.FilesOption;
import io.nightjar.testkit.SeedOption;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate-ad-impressions}: seeded, reproducible skewed impressions and their ad metadata. Ad popularity is
 * Zipf-distributed (rank r drawn with weight 1/r^s), so a few ads take most impressions. Optionally some ads are
 * missing from the metadata (unknown), some have an older duplicate metadata row, and some impressions are bad (no ad
 * id, or a timestamp outside the day).
 */
@Command(name = "generate-ad-impressions", sortOptions = false,
    description = "Write seeded Zipf-skewed ad impressions and ad metadata (Avro).")
public final class AdImpressionsGenerator extends NightjarTool<Plan> {

  private static final String[] DEVICES = {"phone", "tablet", "desktop", "tv"};
  private static final String[] COUNTRIES = {"SE", "US", "BR", "DE", "JP", "IN"};

  @Option(names = "--impressions-output", required = true, paramLabel = "DIR")
  private String impressionsOutput;

  @Option(names = "--metadata-output", required = true, paramLabel = "DIR")
  private String metadataOutput;

  @Mixin
  private DayOption date;

  @Mixin
  private final AdDataOptions data = new AdDataOptions(100_000, 1000, 1.1);

  @Option(names = "--unknown-fraction", defaultValue = "0.02",
      description = "Fraction of ads left out of the metadata (never the hottest) (default: ${DEFAULT-VALUE}).")
  private double unknownFraction;

  @Option(names = "--duplicate-metadata", defaultValue = "0.01",
      description = "Fraction of ads with an extra, older metadata row (default: ${DEFAULT-VALUE}).")
  private double duplicateMetadata;

  @Option(names = "--bad-impressions", defaultValue = "0", description = "Extra bad impressions (default: ${DEFAULT-VALUE}).")
  private int badImpressions;

  @Mixin
  private FilesOption files;

  @Mixin
  private SeedOption seed;

  @Override
  protected Plan plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("impressions", impressionsOutput);
    plan.put("metadata", metadataOutput);
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    long impressions = data.impressions;
    int ads = data.ads;
    double zipf = data.zipf;
    Random random = new Random(seed.get());
    double[] cumulative = new double[ads];
    double sum = 0;
    for (int rank = 1; rank <= ads; rank++) {
      sum += 1 / Math.pow(rank, zipf);
      cumulative[rank - 1] = sum;
    }
    long dayStart = date.get().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    FileSystem fs = new Path(metadataOutput).getFileSystem(getConf());

    int metadataRows = 0;
    try (DataFileWriter<AdMetadata> writer = open(fs, new Path(metadataOutput, "ad-metadata.avro"),
        AdMetadata.getClassSchema())) {
      for (int ad = 0; ad < ads; ad++) {
        if (ad > 0 && random.nextDouble() < unknownFraction) {
          continue;
        }
        String adId = adId(ad);
        String advertiser = "advertiser-" + (ad % 97);
        writer.append(new AdMetadata(adId, advertiser, "campaign-" + (ad % 31), "creative-" + ad, dayStart - 1000L));
        metadataRows++;
        if (random.nextDouble() < duplicateMetadata) {
          writer.append(new AdMetadata(adId, advertiser, "stale-campaign", "stale-creative", dayStart - 86_400_000L));
          metadataRows++;
        }
      }
    }

    long perFile = (impressions + files.get() - 1) / files.get();
    long written = 0;
    for (int f = 0; f < files.get(); f++) {
      try (DataFileWriter<Impression> writer = open(fs,
          new Path(impressionsOutput, String.format("impressions-%05d.avro", f)), Impression.getClassSchema())) {
        for (long n = 0; n < perFile && written < impressions; n++, written++) {
          int index = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
          int ad = Math.min(ads - 1, index >= 0 ? index : -index - 1);
          writer.append(impression("imp-" + written, adId(ad), dayStart + (long) (random.nextDouble() * 86_399_999L),
              random));
        }
        if (f == 0) {
          for (int b = 0; b < badImpressions; b++) {
            String adId = b % 3 == 0 ? null : b % 3 == 1 ? "" : adId(0);
            long ts = b % 3 == 2 ? dayStart - 3_600_000L : dayStart + b;
            writer.append(impression("bad-" + b, adId, ts, random));
          }
        }
      }
    }
    // Each folder is a complete delivery now, as an upstream system flags one.
    fs.create(new Path(impressionsOutput, Dataset.SUCCESS_FLAG), true).close();
    fs.create(new Path(metadataOutput, Dataset.SUCCESS_FLAG), true).close();
    out.printf("wrote %d impressions (+%d bad) over %d ads (zipf %.2f) and %d metadata rows%n", written,
        badImpressions, ads, zipf, metadataRows);
    return 0;
  }

  static String adId(int index) {
    return String.format("ad-%05d", index);
  }

  private static Impression impression(String id, String adId, long ts, Random random) {
    return new Impression(id, adId, ts, "user-" + random.nextInt(1_000_000), DEVICES[random.nextInt(DEVICES.length)],
        COUNTRIES[random.nextInt(COUNTRIES.length)]);
  }

  private static <T extends SpecificRecordBase> DataFileWriter<T> open(FileSystem fs, Path path,
      Schema schema) throws IOException {
    DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<T>(schema));
    writer.setCodec(CodecFactory.snappyCodec());
    return writer.create(schema, fs.create(path, true));
  }
}

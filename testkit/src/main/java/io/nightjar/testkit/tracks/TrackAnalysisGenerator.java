package io.nightjar.testkit.tracks;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.testkit.OutputOption;
import io.nightjar.testkit.SeedOption;
import io.nightjar.testkit.TrackDataOptions;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Random;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate-track-analysis}: one day of a seeded, reproducible analysis history. Day 1 is a full snapshot of
 * {@code --tracks} tracks; day k > 1 is an incremental with {@code --new} new tracks, {@code --changed} re-analysed
 * existing tracks, {@code --deleted} tombstones, and one track delivered twice (an older copy too). Track ids are
 * {@code track-<n>}; the ids existing on day k are 0 .. tracks + (k - 2) * new - 1. Each analysis is a whole document
 * ({@link SyntheticAnalysis}) of {@code --segments} segments: about 100 KB per track packed at the default.
 */
@Command(name = "generate-track-analysis", sortOptions = false,
    description = "Write one day of a seeded track analysis history (day 1 full, later days incremental).")
public final class TrackAnalysisGenerator extends NightjarTool<Plan> {

  @Mixin
  private OutputOption output;

  @Option(names = "--first-date", required = true, paramLabel = "yyyy-MM-dd", description = "Day 1 of the history.")
  private LocalDate firstDate;

  @Option(names = "--day", required = true, description = "Which day of the history, 1 = the full snapshot.")
  private int day;

  @Mixin
  private final TrackDataOptions data = new TrackDataOptions(10_000, 500);

  @Option(names = "--new", defaultValue = "100", description = "New tracks per day (default: ${DEFAULT-VALUE}).")
  private int newTracks;

  @Option(names = "--changed", defaultValue = "20", description = "Re-analysed tracks per day (default: ${DEFAULT-VALUE}).")
  private int changed;

  @Option(names = "--deleted", defaultValue = "5", description = "Deleted tracks per day (default: ${DEFAULT-VALUE}).")
  private int deleted;

  @Mixin
  private SeedOption seed;

  @Override
  protected Plan plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("output", output.get());
    plan.put("day", day + " (" + firstDate.plusDays(day - 1) + ", " + (day == 1 ? "full" : "incremental") + ")");
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    Random random = new Random(seed.get() * 31 + day);
    long dayStart = firstDate.plusDays(day - 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    Path file = new Path(output.get(), day == 1 ? "analysis-full.avro" : "analysis-incremental.avro");
    long records = 0;
    try (DataFileWriter<TrackAnalysis> writer = new DataFileWriter<>(new SpecificDatumWriter<>(TrackAnalysis.class))) {
      writer.setCodec(CodecFactory.snappyCodec());
      writer.create(TrackAnalysis.getClassSchema(), file.getFileSystem(getConf()).create(file, true));
      if (day == 1) {
        for (int t = 0; t < data.tracks; t++) {
          writer.append(live(t, dayStart + t, random));
          records++;
        }
      } else {
        int existing = data.tracks + (day - 2) * newTracks;
        for (int t = existing; t < existing + newTracks; t++) {
          writer.append(live(t, dayStart + 10_000 + t, random));
          records++;
        }
        for (int c = 0; c < changed; c++) {
          writer.append(live(random.nextInt(existing), dayStart + 20_000 + c, random));
          records++;
        }
        for (int d = 0; d < deleted; d++) {
          int t = random.nextInt(existing);
          writer.append(TrackAnalysis.newBuilder().setTrackId(trackId(t)).setFetchedAt(dayStart + 30_000 + d)
              .setDeleted(true).setAnalysis(null).build());
          records++;
        }
        if (newTracks > 0) {
          writer.append(live(existing, dayStart + 5_000, random)); // an older copy of a new track, same delivery
          records++;
        }
      }
    }
    out.printf("wrote %d analysis records for day %d to %s%n", records, day, file);
    return 0;
  }

  public static String trackId(int n) {
    return String.format("track-%08d", n);
  }

  private TrackAnalysis live(int track, long fetchedAt, Random random) {
    AudioAnalysis analysis = SyntheticAnalysis.generate(random, data.segments);
    return TrackAnalysis.newBuilder().setTrackId(trackId(track)).setS3Key("analysis/" + trackId(track) + ".json")
        .setFetchedAt(fetchedAt).setDeleted(false).setAnalysis(analysis).build();
  }
}

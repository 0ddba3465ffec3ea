package io.nightjar.jobs.s3import;

import io.nightjar.common.NightjarTool;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code generate-track-documents}: seeded analysis documents as they sit in S3 ({@code documents/analysis/<id>.json})
 * and the metadata dump that lists them ({@code metadata-dump.tsv}), into a local folder to upload. The dump also
 * lists {@code --absent} ids that have no document, {@code --corrupt} documents do not parse or lack fields, and
 * two dump lines are malformed.
 */
@Command(name = "generate-track-documents", sortOptions = false,
    description = "Write seeded per-track analysis documents and their metadata dump into a local folder.")
public final class TrackDocumentsGenerator extends NightjarTool {

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Local folder.")
  private File output;

  @Option(names = "--tracks", defaultValue = "300", description = "Ids in the dump (default: ${DEFAULT-VALUE}).")
  private int tracks;

  @Option(names = "--absent", defaultValue = "12", description = "Listed ids with no document (default: ${DEFAULT-VALUE}).")
  private int absent;

  @Option(names = "--corrupt", defaultValue = "8",
      description = "Ids whose document does not parse, unless the id is absent too (default: ${DEFAULT-VALUE}).")
  private int corrupt;

  @Option(names = "--padding", defaultValue = "0", description = "Extra bytes per document, for size (default: ${DEFAULT-VALUE}).")
  private int padding;

  @Option(names = "--seed", defaultValue = "42")
  private long seed;

  @Override
  protected LinkedHashMap<String, Object> plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("output", output.getAbsolutePath());
    return plan;
  }

  @Override
  protected int execute() throws IOException {
    Random random = new Random(seed);
    File documents = new File(output, "documents/analysis");
    documents.mkdirs();
    List<String> dump = new ArrayList<>();
    String pad = "x".repeat(padding);
    for (int t = 0; t < tracks; t++) {
      String id = String.format("track-%06d", t);
      String key = "analysis/" + id + ".json";
      dump.add(id + "\t" + key);
      if (t % (tracks / Math.max(1, absent)) == 1 && t / (tracks / Math.max(1, absent)) < absent) {
        continue; // listed, but never uploaded
      }
      String document;
      int corruptIndex = t % (tracks / Math.max(1, corrupt));
      if (corruptIndex == 2 && t / (tracks / Math.max(1, corrupt)) < corrupt) {
        switch (t % 3) {
          case 0:
            document = "{\"track_id\": \"" + id + "\", \"tempo\": 12"; // cut off
            break;
          case 1:
            document = "{\"track_id\": \"" + id + "\", \"tempo\": \"fast\"}";
            break;
          default:
            document = "";
        }
      } else {
        document = String.format(Locale.ROOT, "{\"track_id\": \"%s\", \"tempo\": %.3f, \"key\": %d, \"mode\": %d, "
                + "\"loudness\": %.2f, \"duration\": %.2f, \"acousticness\": %.3f, \"instrumentalness\": %.3f, "
                + "\"energy\": %.3f, \"analyzer\": \"nightjar-fake-1\", \"padding\": \"%s\"}",
            id, 60 + random.nextDouble() * 120, random.nextInt(12), random.nextInt(2), -30 + random.nextDouble() * 30,
            60 + random.nextDouble() * 300, random.nextDouble(), random.nextDouble(), random.nextDouble(), pad);
      }
      Files.write(new File(documents, id + ".json").toPath(), document.getBytes(StandardCharsets.UTF_8));
    }
    dump.add("a line without a tab");
    dump.add("\tanalysis/no-id.json");
    Files.write(new File(output, "metadata-dump.tsv").toPath(), dump, StandardCharsets.UTF_8);
    out.printf("wrote %d dump lines and %d documents to %s%n", dump.size(),
        documents.list() == null ? 0 : documents.list().length, output);
    return 0;
  }
}

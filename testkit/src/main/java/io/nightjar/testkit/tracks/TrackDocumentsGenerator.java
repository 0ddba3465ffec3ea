package io.nightjar.testkit.tracks;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.testkit.OutputOption;
import io.nightjar.testkit.SeedOption;
import io.nightjar.testkit.TrackDataOptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate-track-documents}: seeded audio-analysis documents as they sit in S3
 * ({@code documents/analysis/<id>.json}, the real layout, see {@link SyntheticAnalysis}) and the metadata dump that
 * lists them ({@code metadata-dump.tsv}), into a local folder to upload. {@code --segments} sets the size (default
 * about 250 KB of JSON, as a real track). Like real documents most name no track id; every fifth lacks {@code meta}
 * and {@code tatums}, every seventh carries a field nightjar does not know. The dump also lists {@code --absent} ids
 * that have no document; {@code --corrupt} documents are damaged, one kind after another: cut off, not an object,
 * empty, another track's id, a segment with 11 pitches, NaN, a negative duration, a string where a number belongs;
 * and two dump lines are malformed.
 */
@Command(name = "generate-track-documents", sortOptions = false,
    description = "Write seeded per-track audio-analysis documents and their metadata dump into a local folder.")
public final class TrackDocumentsGenerator extends NightjarTool<Plan> {

  @Mixin
  private OutputOption output;

  @Mixin
  private final TrackDataOptions data = new TrackDataOptions(300, 500);

  @Option(names = "--absent", defaultValue = "12", description = "Listed ids with no document (default: ${DEFAULT-VALUE}).")
  private int absent;

  @Option(names = "--corrupt", defaultValue = "8",
      description = "Ids whose document is damaged, unless the id is absent too (default: ${DEFAULT-VALUE}).")
  private int corrupt;

  @Mixin
  private SeedOption seed;

  @Override
  protected Plan plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("output", new File(output.get()).getAbsolutePath());
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    Random random = new Random(seed.get());
    int tracks = data.tracks;
    int segments = data.segments;
    File output = new File(this.output.get());
    File documents = new File(output, "documents/analysis");
    documents.mkdirs();
    List<String> dump = new ArrayList<>();
    int damaged = 0;
    long bytes = 0;
    for (int t = 0; t < tracks; t++) {
      String id = String.format("track-%06d", t);
      String key = "analysis/" + id + ".json";
      dump.add(id + "\t" + key);
      AudioAnalysis analysis = SyntheticAnalysis.generate(random, segments);
      if (t % 5 == 4) {
        analysis.setMeta(null);
        analysis.setTatums(Collections.emptyList());
      }
      if (t % (tracks / Math.max(1, absent)) == 1 && t / (tracks / Math.max(1, absent)) < absent) {
        continue; // listed, but never uploaded
      }
      byte[] document;
      int corruptIndex = t % (tracks / Math.max(1, corrupt));
      if (corruptIndex == 2 && t / (tracks / Math.max(1, corrupt)) < corrupt) {
        document = damage(damaged++, id, analysis, random);
      } else {
        document = SyntheticAnalysis.toJson(t % 3 == 0 ? id : null, analysis, random, t % 7 == 6);
      }
      Files.write(new File(documents, id + ".json").toPath(), document);
      bytes += document.length;
    }
    dump.add("a line without a tab");
    dump.add("\tanalysis/no-id.json");
    Files.write(new File(output, "metadata-dump.tsv").toPath(), dump, StandardCharsets.UTF_8);
    int written = documents.list() == null ? 0 : documents.list().length;
    out.printf("wrote %d dump lines and %d documents (%,d bytes, %,d on average; %d damaged) to %s%n", dump.size(),
        written, bytes, written == 0 ? 0 : bytes / written, damaged, output);
    return 0;
  }

  /** The {@code kind}-th kind of damage (cycling) to a valid document. */
  public static byte[] damage(int kind, String id, AudioAnalysis analysis, Random random) {
    String valid = new String(SyntheticAnalysis.toJson(null, analysis, random, false), StandardCharsets.UTF_8);
    String json;
    switch (kind % 8) {
      case 0:
        json = valid.substring(0, valid.length() / 2); // cut off
        break;
      case 1:
        json = "[" + valid + "]";
        break;
      case 2:
        json = "";
        break;
      case 3:
        json = "{\"track_id\":\"" + id + "-other\"," + valid.substring(1);
        break;
      case 4:
        json = valid.replaceFirst("\"pitches\":\\[[^,]*,", "\"pitches\":[");
        break;
      case 5:
        json = valid.replaceFirst("\"loudness_max\":[-0-9.E]+", "\"loudness_max\":NaN");
        break;
      case 6:
        json = valid.replaceFirst("(\"beats\":\\[\\{\"start\":[-0-9.E]+,\"duration\":)", "$1-");
        break;
      default:
        json = valid.replaceFirst("\"tempo\":([-0-9.E]+)", "\"tempo\":\"$1 bpm\"");
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }
}

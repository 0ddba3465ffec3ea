package io.nightjar.jobs.tracks.s3import;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.Json;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.jobs.Catalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code promote-import}: makes a finished bulk import (every chunk k of n of s3-import for one date) the first full
 * analysis snapshot, {@code <root>/<project>/analysis/full/<date>/}, without copying a byte: the chunks' files are
 * renamed into one staging folder (prefixed with their chunk, so names never collide) and published in one rename with
 * {@code _SUCCESS}, their quarantines likewise. One accounting across the chunks (ids imported, missing, failed,
 * quarantined; counted from the Avro block headers, no record decoded) is printed and written beside the data as
 * {@value #ACCOUNTING_FILE}.
 *
 * <p>Refused, with the list, while a chunk is not published, has failed ids (retry them with
 * {@code s3-import --retry-failed}) or outcomes that do not add up to its dump lines ({@link ChunkAccounting}), unless
 * {@code --accept-incomplete}; refused when the date's full snapshot is
 * already published. It all runs under the full snapshot's lease for that date. Files are gathered in a hidden
 * {@code _promoting-<date>} folder first: a run killed midway leaves them there and the next run resumes, nothing is
 * lost. The promoted chunk folders keep their {@code _SUCCESS} and a {@value #PROMOTED_FLAG} naming where their files
 * went. Cost: a few NameNode operations per file; the same on a 6 TB import as on a small one.
 */
@Command(name = "promote-import", sortOptions = false,
    description = "Make a finished bulk import (all chunks of one date) the full analysis snapshot of that date.")
public final class PromoteImportTool extends DailyJobTool<PromoteImportTool.Promotion> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PromoteImportTool.class);

  public static final String ACCOUNTING_FILE = "_import-accounting.json";
  public static final String PROMOTED_FLAG = "_PROMOTED";
  /** Hidden folder of the full dataset where a promotion gathers the chunks' files before publishing them. */
  static final String MOVING_PREFIX = "_promoting-";

  @Mixin
  private DayOption date;

  @Option(names = "--chunks", required = true, description = "How many chunks the import was split into.")
  private int chunks;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.TRACKS);

  @Option(names = "--accept-incomplete",
      description = "Promote even though chunks are missing or have failed ids (they are listed in the accounting).")
  private boolean acceptIncomplete;

  /** The date's full snapshot, made of the chunks of the import. */
  record Promotion(Dataset output, LocalDate date, LinkedHashMap<String, Object> describe) implements DailyPlan { }

  @Override
  protected Promotion plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    for (int k = 0; k < chunks; k++) {
      plan.put("chunk " + k, chunk(Catalog.ANALYSIS_IMPORT, k).dayPath(date.get()));
    }
    plan.put("full snapshot", full().dayPath(date.get()));
    return new Promotion(full(), date.get(), plan);
  }

  /**
   * Under the full snapshot's lease (two promotions of one date never interleave): every chunk's files gathered in
   * the hidden {@code _promoting-<date>} folder, published by the frame, quarantine first; nothing when the full is
   * published by this promotion already.
   */
  @Override
  protected Flow flow(Stage stage, Promotion plan) throws IOException {
    LocalDate date = plan.date();
    FileSystem fs = plan.output().path().getFileSystem(getConf());
    Path moving = new Path(plan.output().path(), MOVING_PREFIX + date);
    if (plan.output().isPublished(fs, date)) {
      promotedAlready(fs, plan.output(), date, moving);
      return null;
    }
    boolean resuming = fs.exists(moving);
    Chunks found = inspectChunks(fs, date, resuming);
    if (!found.problems().isEmpty() && !acceptIncomplete) {
      throw new JobFailedException("import of " + date + " not complete, not promoted: " + String.join("; ",
          found.problems()) + " (run the missing chunks, s3-import --retry-failed for failed ids, or pass "
          + "--accept-incomplete)");
    }
    // Every chunk's files into one hidden folder of the full dataset. A run killed here leaves them there (not in a
    // staging folder, which the next publication would delete) and the next run resumes.
    Path movingData = new Path(moving, "data");
    Path movingQuarantine = new Path(moving, "quarantine");
    fs.mkdirs(movingData);
    fs.mkdirs(movingQuarantine);
    List<Path> chunkDays = new ArrayList<>();
    for (Dataset chunk : found.complete()) {
      moveFiles(fs, chunk.dayPath(date), movingData, chunk.path().getName() + "-");
      moveFiles(fs, chunk.quarantinePath(date), movingQuarantine, chunk.path().getName() + "-");
      chunkDays.add(chunk.dayPath(date));
    }
    // The accounting is of what is published, so it holds for a resumed run too.
    Map<String, Long> totals = new LinkedHashMap<>();
    totals.put("imported", AvroInputCheck.countRecords(fs, movingData));
    totals.put("quarantined", AvroInputCheck.countRecords(fs, movingQuarantine));
    totals.putAll(found.lists());
    Promoted promoted = new Promoted(moving, found, totals);
    return Flow.moved(movingData, movingQuarantine).reads(chunkDays).manifest("importTotals", totals)
        .report(runs -> promoted);
  }

  /** Once the full is published, the gathering folder goes and the chunks are flagged as promoted. */
  @Override
  protected String published(Promotion plan, Run run) throws IOException {
    Promoted promoted = (Promoted) run.report();
    FileSystem fs = plan.output().path().getFileSystem(getConf());
    fs.delete(promoted.moving(), true);
    markPromoted(fs, plan.date(), plan.output().dayPath(plan.date()), promoted.found().numbers());
    return promoted.summary();
  }

  /**
   * A rerun (its first run killed before or after it published, the operator cannot tell): done already, for the
   * chunks it promoted; a chunk published since is not in the full, and saying "done" would lose it.
   */
  private void promotedAlready(FileSystem fs, Dataset full, LocalDate date, Path moving) throws IOException {
    List<Integer> promoted = promotedChunks(fs, full.dayPath(date));
    if (promoted == null) {
      throw new JobFailedException(full.dayPath(date) + " is already published, and not by a promotion of "
          + chunks + " chunks of " + date + " (a full snapshot delivered or compacted, or another --chunks)");
    }
    List<Integer> notIn = new ArrayList<>();
    for (int k = 0; k < chunks; k++) {
      if (!promoted.contains(k) && chunk(Catalog.ANALYSIS_IMPORT, k).isPublished(fs, date)) {
        notIn.add(k);
      }
    }
    if (!notIn.isEmpty()) {
      throw new JobFailedException("chunk(s) " + notIn + " of " + date + " were published after "
          + full.dayPath(date) + " was promoted without them (--accept-incomplete); their records are not in "
          + "the full snapshot: deliver that day's full again from all chunks");
    }
    markPromoted(fs, date, full.dayPath(date), promoted);
    fs.delete(moving, true); // a run killed after publishing, before it removed its empty gathering folder
    out.printf("promote-import %s: %s is already published from chunk(s) %s (promoted before); nothing to do%n",
        date, full.dayPath(date), promoted);
  }

  /**
   * The import's accounting across the chunks, written beside the data as {@value #ACCOUNTING_FILE}, and the
   * summary line's details.
   */
  private final class Promoted implements Report {
    private final Path moving;
    private final Chunks found;
    private final Map<String, Long> totals;

    Promoted(Path moving, Chunks found, Map<String, Long> totals) {
      this.moving = moving;
      this.found = found;
      this.totals = totals;
    }

    Path moving() {
      return moving;
    }

    Chunks found() {
      return found;
    }

    @Override
    public void writeInto(FileSystem fs, Path stagingDir) throws IOException {
      try (OutputStream json = fs.create(new Path(stagingDir, ACCOUNTING_FILE), true)) {
        json.write(accountingJson(totals, found.problems(), found.numbers()).getBytes(StandardCharsets.UTF_8));
      }
    }

    @Override
    public String summary() {
      return String.format("from %d of %d chunks: %s%s", found.complete().size(), chunks, totals,
          found.problems().isEmpty() ? "" : "; accepted incomplete: " + found.problems());
    }
  }

  /**
   * The chunks a promotion of this date and chunk count put into the published full, from its accounting; null when
   * the full was not made by such a promotion.
   */
  private List<Integer> promotedChunks(FileSystem fs, Path fullDay) throws IOException {
    Path accounting = new Path(fullDay, ACCOUNTING_FILE);
    if (!fs.exists(accounting)) {
      return null;
    }
    Map<?, ?> json;
    try (InputStream in = fs.open(accounting)) {
      json = Json.readObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    if (!String.valueOf(date.get()).equals(json.get("date")) || !Integer.valueOf(chunks).equals(json.get("chunks"))) {
      return null;
    }
    List<Integer> promoted = new ArrayList<>();
    Object listed = json.get("promotedChunks");
    if (listed instanceof List<?> numbers) {
      for (Object k : numbers) {
        promoted.add(((Number) k).intValue());
      }
    } else {
      // Written before the list was: every chunk flagged as promoted into this full.
      for (int k = 0; k < chunks; k++) {
        if (fs.exists(new Path(chunk(Catalog.ANALYSIS_IMPORT, k).dayPath(date.get()), PROMOTED_FLAG))) {
          promoted.add(k);
        }
      }
    }
    return promoted;
  }

  /** Flags the promoted chunks of the day (kept out of a second promotion) with the full they went into. */
  private void markPromoted(FileSystem fs, LocalDate date, Path fullDay, List<Integer> promoted) throws IOException {
    for (int k : promoted) {
      Dataset chunk = chunk(Catalog.ANALYSIS_IMPORT, k);
      Path flag = new Path(chunk.dayPath(date), PROMOTED_FLAG);
      if (fs.exists(chunk.dayPath(date)) && !fs.exists(flag)) {
        try (OutputStream out = fs.create(flag, true)) {
          out.write((fullDay + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  /**
   * The chunks of the day that are published (and their numbers), the sizes of their id lists, and what keeps the
   * import incomplete.
   */
  private record Chunks(List<Dataset> complete, List<Integer> numbers, Map<String, Long> lists,
      List<String> problems) { }

  private Chunks inspectChunks(FileSystem fs, LocalDate date, boolean resuming) throws IOException {
    Chunks found = new Chunks(new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>(), new ArrayList<>());
    for (int k = 0; k < chunks; k++) {
      Dataset imported = chunk(Catalog.ANALYSIS_IMPORT, k);
      if (!imported.isPublished(fs, date)) {
        found.problems().add("chunk " + k + " not published");
        continue;
      }
      if (!resuming && fs.exists(new Path(imported.dayPath(date), PROMOTED_FLAG))) {
        throw new JobFailedException("chunk " + k + " of " + date + " was already promoted (" + PROMOTED_FLAG
            + " in " + imported.dayPath(date) + ")");
      }
      found.complete().add(imported);
      found.numbers().add(k);
      long missing = count(fs, chunk(Catalog.ANALYSIS_IMPORT_MISSING, k).dayPath(date));
      add(found.lists(), "missing", missing);
      long failed = count(fs, chunk(Catalog.ANALYSIS_IMPORT_FAILED, k).dayPath(date));
      add(found.lists(), "failed", failed);
      if (failed > 0) {
        found.problems().add("chunk " + k + " has " + failed + " failed ids");
      }
      if (!resuming) { // a resumed promotion moved the chunks' files already; the first attempt checked them
        String gap = gap(fs, imported, date, k, missing, failed);
        if (gap != null) {
          found.problems().add(gap);
        }
      }
    }
    return found;
  }

  /**
   * Whether chunk {@code k}'s published outcomes (imported, quarantined, missing, failed, and the skips its
   * {@link ChunkAccounting} names) add up to its dump lines; the gap, named, when they do not. A chunk imported by an
   * earlier nightjar has no figures to check against (a warning).
   */
  private String gap(FileSystem fs, Dataset imported, LocalDate date, int k, long missing, long failed)
      throws IOException {
    ChunkAccounting accounting = ChunkAccounting.read(fs, imported.dayPath(date));
    if (accounting == null) {
      LOG.warn("chunk {} of {} has no {}: its outcomes cannot be checked against its dump lines", k, date,
          ChunkAccounting.FILE);
      return null;
    }
    long records = count(fs, imported.dayPath(date));
    long quarantined = count(fs, imported.quarantinePath(date));
    long accounted = records + quarantined + missing + failed + accounting.skippedTotal();
    if (accounted == accounting.dumpLines) {
      return null;
    }
    return String.format("chunk %d accounts for %d of its %d dump lines (imported %d, quarantined %d, missing %d, "
        + "failed %d, skipped %s): %d %s; rerun the chunk", k, accounted, accounting.dumpLines, records, quarantined,
        missing, failed, accounting.skipped, Math.abs(accounting.dumpLines - accounted),
        accounted < accounting.dumpLines ? "lines lost" : "outcomes more than lines");
  }

  /** Renames the {@code .avro} files of {@code from} into {@code to}, prefixed so names from chunks never collide. */
  private static void moveFiles(FileSystem fs, Path from, Path to, String prefix) throws IOException {
    if (!fs.exists(from)) {
      return;
    }
    for (FileStatus file : AvroFiles.avroFileStatuses(fs, from)) {
      Path target = new Path(to, prefix + file.getPath().getName());
      if (!fs.rename(file.getPath(), target)) {
        throw new IOException("could not rename " + file.getPath() + " to " + target
            + "; rerun promote-import to resume");
      }
    }
  }

  private String accountingJson(Map<String, Long> totals, List<String> problems, List<Integer> promoted) {
    StringBuilder json = new StringBuilder("{\"date\": \"").append(date.get()).append("\", \"chunks\": ")
        .append(chunks).append(", \"promotedChunks\": ").append(promoted);
    totals.forEach((key, value) -> json.append(", \"").append(key).append("\": ").append(value));
    json.append(", \"acceptedIncomplete\": [");
    for (int i = 0; i < problems.size(); i++) {
      json.append(i == 0 ? "" : ", ").append('"').append(problems.get(i).replace("\"", "'")).append('"');
    }
    return json.append("]}\n").toString();
  }

  private static long count(FileSystem fs, Path dir) throws IOException {
    return fs.exists(dir) ? AvroInputCheck.countRecords(fs, dir) : 0;
  }

  private static void add(Map<String, Long> totals, String key, long value) {
    totals.merge(key, value, Long::sum);
  }

  private Dataset chunk(String dataset, int k) throws IOException {
    return Dataset.of(getConf(), project.get(), Catalog.chunk(dataset, k, chunks));
  }

  private Dataset full() throws IOException {
    return Catalog.analysis(getConf(), project.get()).full();
  }
}

package io.nightjar.jobs.tracks.s3import;

import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.ImportOutcome;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackLocation;
import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.NightjarTypes;
import io.nightjar.common.crunch.QuarantiningDoFn;
import io.nightjar.common.crunch.StableHash;
import io.nightjar.common.crunch.TextIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.FilterFn;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.Tuple3;
import org.apache.crunch.lib.Channels;
import org.apache.crunch.lib.Cogroup;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.Avros;

/**
 * s3-import's building blocks: reading the metadata dump, choosing a chunk, planning what to download (skipping ids
 * an earlier run of the same chunk already imported), and splitting the download outcomes.
 */
public final class S3Import {

  public static final String BAD_DUMP_LINE = "BAD_DUMP_LINE";
  /**
   * Quarantine reason: a track id or S3 key with path segments ({@code ..}, {@code .}, empty), a leading slash or
   * control characters. HTTP clients normalise such keys, so the GET could fetch another object than listed.
   */
  public static final String UNSAFE_ID = "UNSAFE_ID";
  /** Skip reasons: an id listed twice in the dump; an earlier import's record whose id left the dump. */
  public static final String DUPLICATE_ID = "DUPLICATE_ID";
  public static final String NOT_IN_DUMP = "NOT_IN_DUMP";
  /** Counter (in {@link FetchDocumentsFn#S3_GROUP}): records an earlier run imported, carried over, not downloaded. */
  public static final String CARRIED_OVER = "carried-over";

  /** Skip reason of a daily import: the id's S3 key is the one the view already holds. */
  public static final String UNCHANGED = "UNCHANGED";
  /** Counter (in {@link FetchDocumentsFn#S3_GROUP}): tombstones a daily import wrote for ids that left the dump. */
  public static final String TOMBSTONES = "tombstones";

  /**
   * What a daily import reads of the analysis view: id, key, fetch time and tombstone flag, an Avro projection of
   * {@code TrackAnalysis} (the documents are skipped, not deserialized; Avro still reads and decompresses their blocks).
   */
  public static final Schema VIEW_PROJECTION = projection(TrackAnalysis.getClassSchema(),
      "trackId", "s3Key", "fetchedAt", "deleted");

  static final PType<TrackLocation> LOCATIONS = Avros.specifics(TrackLocation.class);
  static final PType<TrackAnalysis> ANALYSIS = Avros.specifics(TrackAnalysis.class);
  static final PType<ImportOutcome> OUTCOMES = Avros.specifics(ImportOutcome.class);
  static final PType<ImportFailure> FAILURES = Avros.specifics(ImportFailure.class);

  private S3Import() {
  }

  /** Parses {@code trackId<TAB>s3Key} lines; others are quarantined ({@value #BAD_DUMP_LINE}) and counted in. */
  public static Pair<PCollection<TrackLocation>, PCollection<QuarantineRecord>> parseDump(PCollection<String> lines) {
    return Channels.split(lines.parallelDo("parse dump lines", new ParseDumpLineFn(),
        NightjarTypes.orQuarantine(LOCATIONS)));
  }

  /**
   * The dump lines of chunk {@code chunk} of {@code chunks}, by the same hash of their first field (the track id) as
   * {@link #chunk}: each line, a damaged one too, is parsed, counted and quarantined by one chunk only.
   */
  public static PCollection<String> chunkLines(PCollection<String> lines, int chunk, int chunks) {
    return chunks == 1 ? lines : lines.filter("lines of chunk " + chunk + " of " + chunks,
        new LineInChunkFn(chunk, chunks));
  }

  /** The ids of chunk {@code chunk} of {@code chunks}, by a stable hash of the track id. */
  public static PCollection<TrackLocation> chunk(PCollection<TrackLocation> locations, int chunk, int chunks) {
    return locations.filter("chunk " + chunk + " of " + chunks, new InChunkFn(chunk, chunks));
  }

  static int chunkOf(String trackId, int chunks) {
    return StableHash.of(trackId) % chunks;
  }

  /**
   * What to download, and what an earlier import of the same chunk and day already holds ({@code existing}, or
   * null): ids already imported are carried over, not downloaded again. With {@code keepAllExisting} (a
   * --retry-failed run, whose list holds only the failed ids) every earlier record is carried over. Counts every
   * listed id and carried record in; carried records out.
   */
  public static Pair<PCollection<TrackLocation>, PCollection<TrackAnalysis>> plan(PCollection<TrackLocation> listed,
      PCollection<TrackAnalysis> existing, boolean keepAllExisting) {
    PTable<String, TrackLocation> byId = listed.by("key listed by track", new LocationIdFn(), Avros.strings());
    PTable<String, Pair<Collection<TrackLocation>, Collection<TrackAnalysis>>> grouped;
    if (existing == null) {
      grouped = byId.groupByKey().parallelDo("nothing imported yet", new NothingImportedFn(),
          Avros.tableOf(Avros.strings(), Avros.pairs(Avros.collections(LOCATIONS), Avros.collections(ANALYSIS))));
    } else {
      grouped = Cogroup.cogroup(byId, existing.by("key imported by track", new AnalysisIdFn(), Avros.strings()));
    }
    return Channels.split(grouped.parallelDo("plan downloads", new PlanFn(keepAllExisting),
        Avros.pairs(LOCATIONS, ANALYSIS)));
  }

  /**
   * A daily import's plan: the day's dump against the analysis view of the day before. Ids new to the view, or whose
   * S3 key changed, are downloaded; unchanged ids are skipped ({@value #UNCHANGED}); ids of the view (not deleted)
   * that left the dump become tombstones fetched at {@code fetchedAt} when {@code tombstones}, else are skipped
   * ({@value #NOT_IN_DUMP}). A view record without a key counts as unchanged (a key cannot be compared). One "in" per
   * id. The view is {@link #VIEW_PROJECTION} records.
   */
  public static Pair<PCollection<TrackLocation>, PCollection<TrackAnalysis>> dailyPlan(PCollection<TrackLocation> listed,
      PCollection<GenericData.Record> view, boolean tombstones, long fetchedAt) {
    PTable<String, TrackLocation> byId = listed.by("key listed by track", new LocationIdFn(), Avros.strings());
    PTable<String, Tuple3<String, Long, Boolean>> viewById = view.parallelDo("view entries", new ViewEntryFn(),
        Avros.tableOf(Avros.strings(), Avros.triples(Avros.strings(), Avros.longs(), Avros.booleans())));
    return Channels.split(Cogroup.cogroup(byId, viewById).parallelDo("plan the day",
        new DailyPlanFn(tombstones, fetchedAt), Avros.pairs(LOCATIONS, ANALYSIS)));
  }

  /** A record schema with only the named fields of {@code full} (same name, so Avro resolves files against it). */
  static Schema projection(Schema full, String... names) {
    List<Schema.Field> fields = new ArrayList<>();
    for (String name : names) {
      Schema.Field field = full.getField(name);
      fields.add(new Schema.Field(field.name(), field.schema(), field.doc(), field.defaultVal()));
    }
    return Schema.createRecord(full.getName(), full.getDoc(), full.getNamespace(), false, fields);
  }

  /** Imported records of the outcomes. */
  public static PCollection<TrackAnalysis> imported(PCollection<ImportOutcome> outcomes) {
    return outcomes.parallelDo("imported", new ImportedFn(), ANALYSIS);
  }

  /** Quarantined documents of the outcomes. */
  public static PCollection<QuarantineRecord> quarantined(PCollection<ImportOutcome> outcomes) {
    return outcomes.parallelDo("quarantined", new QuarantinedFn(), NightjarTypes.quarantineRecords());
  }

  /** Failures with {@code reason} ({@link FetchDocumentsFn#MISSING} or {@link FetchDocumentsFn#FAILED}). */
  public static PCollection<ImportFailure> failures(PCollection<ImportOutcome> outcomes, String reason) {
    return outcomes.parallelDo(reason.toLowerCase(), new FailureFn(reason), FAILURES);
  }

  /** The ids of failures, to download again. */
  public static PCollection<TrackLocation> locations(PCollection<ImportFailure> failures) {
    return failures.parallelDo("failed ids", new FailureLocationFn(), LOCATIONS);
  }

  /** Valid locations on (counted in later, by the import); refused lines counted in here and quarantined. */
  static final class ParseDumpLineFn extends QuarantiningDoFn<String, TrackLocation> {
    @Override
    public void process(String line, Emitter<Pair<TrackLocation, QuarantineRecord>> emitter) {
      String[] fields = line.split("\t", -1);
      if (fields.length != 2 || fields[0].trim().isEmpty() || fields[1].trim().isEmpty()) {
        countIn(1);
        quarantine(BAD_DUMP_LINE, "expected trackId<TAB>s3Key, found " + fields.length + " field(s)", line, emitter);
        return;
      }
      String id = fields[0].trim();
      String key = fields[1].trim();
      String badId = TextIds.problem(id);
      if (badId != null) {
        countIn(1);
        quarantine(TextIds.BAD_ID, "track id " + badId, line, emitter);
        return;
      }
      String unsafe = unsafe(id, key);
      if (unsafe == null) {
        pass(new TrackLocation(id, key), emitter);
      } else {
        countIn(1);
        quarantine(UNSAFE_ID, unsafe, line, emitter);
      }
    }
  }

  /** Why the id or key is unsafe to use as an object name, or null. */
  static String unsafe(String id, String key) {
    if (id.contains("/") || id.equals(".") || id.equals("..") || hasControl(id)) {
      return "track id '" + id + "' has path characters";
    }
    if (key.startsWith("/") || hasControl(key)) {
      return "S3 key '" + key + "' starts with / or has control characters";
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "S3 key '" + key + "' has a '" + segment + "' path segment";
      }
    }
    return null;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  static final class InChunkFn extends FilterFn<TrackLocation> {
    private final int chunk;
    private final int chunks;

    InChunkFn(int chunk, int chunks) {
      this.chunk = chunk;
      this.chunks = chunks;
    }

    @Override
    public boolean accept(TrackLocation location) {
      return chunkOf(location.getTrackId(), chunks) == chunk;
    }
  }

  static final class LineInChunkFn extends FilterFn<String> {
    private final int chunk;
    private final int chunks;

    LineInChunkFn(int chunk, int chunks) {
      this.chunk = chunk;
      this.chunks = chunks;
    }

    @Override
    public boolean accept(String line) {
      int tab = line.indexOf('\t');
      return chunkOf((tab < 0 ? line : line.substring(0, tab)).trim(), chunks) == chunk;
    }
  }

  static final class LocationIdFn extends MapFn<TrackLocation, String> {
    @Override
    public String map(TrackLocation location) {
      return location.getTrackId();
    }
  }

  static final class AnalysisIdFn extends MapFn<TrackAnalysis, String> {
    @Override
    public String map(TrackAnalysis analysis) {
      return analysis.getTrackId();
    }
  }

  static final class NothingImportedFn extends MapFn<Pair<String, Iterable<TrackLocation>>,
      Pair<String, Pair<Collection<TrackLocation>, Collection<TrackAnalysis>>>> {
    @Override
    public Pair<String, Pair<Collection<TrackLocation>, Collection<TrackAnalysis>>> map(
        Pair<String, Iterable<TrackLocation>> listed) {
      Collection<TrackLocation> locations = new ArrayList<>();
      for (TrackLocation location : listed.second()) {
        locations.add(TrackLocation.newBuilder(location).build());
      }
      return Pair.of(listed.first(), Pair.of(locations, Collections.<TrackAnalysis>emptyList()));
    }
  }

  /** One track id: download it, carry its earlier record over, or drop a duplicate listing. */
  static final class PlanFn extends AccountedDoFn<Pair<String, Pair<Collection<TrackLocation>,
      Collection<TrackAnalysis>>>, Pair<TrackLocation, TrackAnalysis>> {
    private final boolean keepAllExisting;

    PlanFn(boolean keepAllExisting) {
      this.keepAllExisting = keepAllExisting;
    }

    @Override
    public void process(Pair<String, Pair<Collection<TrackLocation>, Collection<TrackAnalysis>>> track,
        Emitter<Pair<TrackLocation, TrackAnalysis>> emitter) {
      Collection<TrackLocation> listed = track.second().first();
      TrackAnalysis earlier = track.second().second().isEmpty() ? null : track.second().second().iterator().next();
      countIn(listed.size() + (listed.isEmpty() && earlier != null ? 1 : 0));
      if (listed.size() > 1) {
        countSkipped(DUPLICATE_ID, listed.size() - 1);
      }
      if (earlier != null && (!listed.isEmpty() || keepAllExisting)) {
        increment(FetchDocumentsFn.S3_GROUP, CARRIED_OVER);
        countOut(1);
        countWritten(1);
        emitter.emit(Pair.of(null, earlier));
      } else if (earlier != null) {
        countSkipped(NOT_IN_DUMP, 1);
      } else {
        TrackLocation first = listed.stream().min((a, b) -> a.getS3Key().compareTo(b.getS3Key())).get();
        emitter.emit(Pair.of(first, null));
      }
    }
  }

  /** trackId → (s3Key or "", fetchedAt, deleted) of one view record. */
  static final class ViewEntryFn extends MapFn<GenericData.Record, Pair<String, Tuple3<String, Long, Boolean>>> {
    @Override
    public Pair<String, Tuple3<String, Long, Boolean>> map(GenericData.Record record) {
      Object key = record.get("s3Key");
      return Pair.of(record.get("trackId").toString(), Tuple3.of(key == null ? "" : key.toString(),
          (Long) record.get("fetchedAt"), (Boolean) record.get("deleted")));
    }
  }

  /** One id of the day: download it (new or changed), skip it (unchanged), or tombstone it (left the dump). */
  static final class DailyPlanFn extends AccountedDoFn<Pair<String, Pair<Collection<TrackLocation>,
      Collection<Tuple3<String, Long, Boolean>>>>, Pair<TrackLocation, TrackAnalysis>> {
    private final boolean tombstones;
    private final long fetchedAt;

    DailyPlanFn(boolean tombstones, long fetchedAt) {
      this.tombstones = tombstones;
      this.fetchedAt = fetchedAt;
    }

    @Override
    public void process(Pair<String, Pair<Collection<TrackLocation>, Collection<Tuple3<String, Long, Boolean>>>> id,
        Emitter<Pair<TrackLocation, TrackAnalysis>> emitter) {
      Collection<TrackLocation> listed = id.second().first();
      Tuple3<String, Long, Boolean> latest = null;
      for (Tuple3<String, Long, Boolean> entry : id.second().second()) {
        if (latest == null || entry.second() > latest.second()
            || (entry.second().equals(latest.second()) && entry.third())) {
          latest = entry;
        }
      }
      boolean inView = latest != null && !latest.third();
      countIn(listed.isEmpty() ? 1 : listed.size());
      if (listed.size() > 1) {
        countSkipped(DUPLICATE_ID, listed.size() - 1);
      }
      if (listed.isEmpty()) {
        if (inView && tombstones) {
          increment(FetchDocumentsFn.S3_GROUP, TOMBSTONES);
          countOut(1);
          countWritten(1);
          emitter.emit(Pair.of(null, TrackAnalysis.newBuilder().setTrackId(id.first())
              .setS3Key(latest.first().isEmpty() ? null : latest.first()).setFetchedAt(fetchedAt).setDeleted(true)
              .setAnalysis(null).build()));
        } else {
          countSkipped(NOT_IN_DUMP, 1);
        }
        return;
      }
      TrackLocation first = listed.stream().min((a, b) -> a.getS3Key().compareTo(b.getS3Key())).get();
      if (inView && (latest.first().isEmpty() || latest.first().equals(first.getS3Key()))) {
        countSkipped(UNCHANGED, 1);
      } else {
        emitter.emit(Pair.of(TrackLocation.newBuilder(first).build(), null));
      }
    }
  }

  static final class ImportedFn extends DoFn<ImportOutcome, TrackAnalysis> {
    @Override
    public void process(ImportOutcome outcome, Emitter<TrackAnalysis> emitter) {
      if (outcome.getImported() != null) {
        emitter.emit(outcome.getImported());
      }
    }
  }

  static final class QuarantinedFn extends DoFn<ImportOutcome, QuarantineRecord> {
    @Override
    public void process(ImportOutcome outcome, Emitter<QuarantineRecord> emitter) {
      if (outcome.getQuarantined() != null) {
        emitter.emit(outcome.getQuarantined());
      }
    }
  }

  static final class FailureFn extends DoFn<ImportOutcome, ImportFailure> {
    private final String reason;

    FailureFn(String reason) {
      this.reason = reason;
    }

    @Override
    public void process(ImportOutcome outcome, Emitter<ImportFailure> emitter) {
      if (outcome.getFailure() != null && reason.equals(outcome.getFailure().getReason())) {
        emitter.emit(outcome.getFailure());
      }
    }
  }

  static final class FailureLocationFn extends MapFn<ImportFailure, TrackLocation> {
    @Override
    public TrackLocation map(ImportFailure failure) {
      return new TrackLocation(failure.getTrackId(), failure.getS3Key());
    }
  }
}

package io.nightjar.jobs.ads;

import static io.nightjar.common.crunch.NightjarTypes.orQuarantine;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.avro.AvroBlockSample;
import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.LatestPerKey;
import io.nightjar.common.crunch.QuarantiningDoFn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.ParallelDoOptions;
import org.apache.crunch.ReadableData;
import org.apache.crunch.Tuple3;
import org.apache.crunch.lib.Channels;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.lib.join.MapsideJoinStrategy;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskAttemptID;

/**
 * Impressions left-outer-joined with ad metadata, with a choice of strategy for skewed ad ids. Use it for the
 * enriched-impressions day; the list below says which strategy does what. Every strategy gives the same records. In
 * the reduce-side ones the metadata is Crunch's left side (the side a join holds in memory: one row per ad) and the
 * impressions stream through as the preserved right side ({@code RIGHT_OUTER_JOIN}), which is the left outer join of
 * impressions with metadata; {@link Strategy#MAPSIDE} holds each ad's latest row in every map task instead.
 *
 * <ul>
 *   <li>{@code DEFAULT}: the plain reduce-side join, {@link SaltedJoinStrategy} with one shard per ad (the same
 *       shuffle as Crunch's {@code DefaultJoinStrategy}: each ad's metadata once, its impressions hashed to one
 *       reducer, but without Avro in the shuffle). All impressions of an ad meet in one reduce group, so one reducer
 *       takes all of the hottest ad.</li>
 *   <li>{@code SHARDED}: {@link SaltedJoinStrategy} with a uniform {@link ShardPlan}: every ad's impressions spread
 *       over N shards (a map task's batches of an ad take them in turn), its metadata copied N times (N x metadata
 *       rows shuffled).</li>
 *   <li>{@code ADAPTIVE}: {@link SaltedJoinStrategy} with an adaptive {@link ShardPlan}: a sample of the impressions
 *       files' blocks, read in the client, estimates each ad's count; only ads above a target get more than one
 *       shard, placed on the least-loaded
 *       reducers; metadata copied only for those.</li>
 *   <li>{@code MAPSIDE}: the metadata rows loaded into every map task, each ad's latest kept ({@link #joinMapside});
 *       no shuffle at all, and no job before it. Use when the metadata fits in task memory with room to spare.
 *       ({@link #joinStrategy} gives Crunch's {@code MapsideJoinStrategy} for a table already one row per ad.)</li>
 * </ul>
 * Crunch's own {@code ShardedJoinStrategy} (its shard of an impression depends on the task and the order it reads in,
 * and its partitioner may put two shards of one ad on one reducer) is not offered: the benchmarks compare it
 * ({@code bench/.../CrunchShardedJoin}) through {@link #join(PTable, PCollection, JoinStrategy, ShardPlan)}.
 */
public final class ImpressionsJoin {

  /**
   * Join strategies; {@code AUTO} resolves to {@code MAPSIDE} or {@code ADAPTIVE} by the metadata's size. Each prints
   * (and parses, case-insensitively) as its lower-case name with hyphens: {@code mapside}.
   */
  public enum Strategy {
    DEFAULT, SHARDED, ADAPTIVE, MAPSIDE, AUTO;

    @Override
    public String toString() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  public static final String MISSING_AD_ID = "MISSING_AD_ID";
  public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";
  public static final String OUTSIDE_DAY = "OUTSIDE_DAY";

  /** Counters about the metadata side: rows read, invalid rows dropped, duplicate rows dropped. */
  public static final String METADATA_GROUP = "nightjar.metadata";
  /** Counters about the join: metadata rows shuffled into it, impressions of unknown ads. */
  public static final String JOIN_GROUP = "nightjar.join";
  public static final String METADATA_ROWS_SHUFFLED = "metadata-rows-shuffled";
  public static final String UNKNOWN_AD = "unknown-ad";
  public static final String DUPLICATE_ROWS_DROPPED = "duplicate-rows-dropped";

  private static final PType<Impression> IMPRESSIONS = Avros.specifics(Impression.class);
  private static final PType<AdMetadata> METADATA = Avros.specifics(AdMetadata.class);
  /** (task, adId or "" for the task's total, rows). */
  public static final PType<Tuple3<String, String, Long>> TASK_LOADS =
      Avros.triples(Avros.strings(), Avros.strings(), Avros.longs());

  private ImpressionsJoin() {
  }

  /** Valid impressions of {@code day}, and the quarantined rest; counts each impression in. */
  public static Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checkImpressions(
      PCollection<Impression> impressions, LocalDate day) {
    return Channels.split(impressions.parallelDo("check impressions", new CheckImpressionFn(day),
        orQuarantine(IMPRESSIONS)));
  }

  /**
   * One metadata row per ad id: of duplicate rows the one with the greatest {@code updatedAt} wins, ties broken by
   * the greatest (advertiser, campaign, creative); the others are dropped and counted. Rows without an ad id are
   * dropped and counted.
   */
  public static PTable<String, AdMetadata> latestMetadata(PCollection<AdMetadata> metadata) {
    return LatestPerKey.latest(keyedMetadata(metadata), new NewerMetadata(), new MetadataCopy())
        .parallelDo("latest metadata per ad", new CountDuplicatesFn(), Avros.tableOf(Avros.strings(), METADATA));
  }

  /** (adId, row) of every metadata row with an ad id; counts the rows, and drops and counts those without one. */
  public static PTable<String, AdMetadata> keyedMetadata(PCollection<AdMetadata> metadata) {
    return metadata.parallelDo("key metadata by ad", new KeyMetadataFn(), Avros.tableOf(Avros.strings(), METADATA));
  }

  /**
   * Estimated impressions per ad id (an impression without one under "") from a seeded sample of about
   * {@code fraction} of the impressions files' Avro blocks, read in the client ({@link AvroBlockSample}: no job).
   * Reads the raw impressions, so it does not touch the record accounting.
   */
  public static Map<String, Long> estimateCounts(Configuration conf, Path impressions, double fraction, long seed)
      throws IOException {
    return AvroBlockSample.estimateCounts(conf, List.of(impressions), "adId", fraction, seed);
  }

  /**
   * Joins with a resolved strategy ({@code plan} is used by SHARDED and ADAPTIVE): the enriched rows, and for each task
   * that ran the join's last step its row count {@code (task, "", rows)} and its three busiest ad ids
   * {@code (task, adId, rows)}, the raw material of the {@link SkewReport}. The loads travel as a few records beside the
   * output, not as counters: one counter per reducer and hot key would pass Hadoop's limit of 120 per job.
   */
  public static Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> join(
      PTable<String, AdMetadata> metadata, PCollection<Impression> impressions, Strategy strategy, ShardPlan plan,
      int reducers) {
    return join(metadata, impressions, joinStrategy(strategy, plan, reducers),
        strategy == Strategy.MAPSIDE ? null : strategy == Strategy.DEFAULT ? ShardPlan.uniform(1) : plan);
  }

  /**
   * {@link #join} with any Crunch join strategy of the (latest) metadata with the impressions, as the benchmarks run
   * Crunch's own {@code ShardedJoinStrategy}; {@code shuffled} is the plan the strategy copies each metadata row by,
   * for the count of metadata rows shuffled (null: no metadata is shuffled, as in a map-side join).
   */
  public static Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> join(
      PTable<String, AdMetadata> metadata, PCollection<Impression> impressions,
      JoinStrategy<String, AdMetadata, Impression> joinStrategy, ShardPlan shuffled) {
    return Channels.split(joined(metadata, impressions, joinStrategy, shuffled));
  }

  /**
   * {@link #join} from the metadata rows as read: the salted strategies ({@code DEFAULT}, {@code SHARDED},
   * {@code ADAPTIVE}) pick each ad's latest row inside the join's own shuffle, so the day is one MapReduce job;
   * {@code MAPSIDE} joins as {@link #joinMapside} with the rows' readable data, in memory pipelines only (on
   * MapReduce Crunch would run a job to materialize them first, which may count the impressions' check twice: pass the
   * files, {@code Dataset.readableAvro}, to {@link #joinMapside}). Same rows and counters either way.
   */
  public static Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> joinRows(
      PCollection<AdMetadata> metadataRows, PCollection<Impression> impressions, Strategy strategy, ShardPlan plan,
      int reducers) {
    if (strategy == Strategy.MAPSIDE) {
      if (!(metadataRows.getPipeline() instanceof MemPipeline)) {
        throw new IllegalArgumentException("mapside on MapReduce reads the metadata files in its tasks: "
            + "joinMapside(Dataset.readableAvro(...), impressions)");
      }
      return joinMapside(metadataRows.asReadable(false), impressions);
    }
    return join(keyedMetadata(metadataRows), impressions, strategy, plan, reducers);
  }

  /**
   * The map-side join from the metadata rows as read ({@code MAPSIDE}): each map task reads all of {@code
   * metadataRows} (for the tool, the files themselves: {@link io.nightjar.common.avro.AvroReadableFiles}), keeps each
   * ad's latest row in memory and enriches the impressions it reads; no shuffle, and no job before it to deduplicate
   * the metadata. The metadata counters ({@value #METADATA_GROUP}) are counted by map task 0 only, as every task
   * reads the same rows (a day without impression files has no map task, so its metadata goes uncounted). Use it
   * when the metadata fits in a map task's heap with room to spare.
   */
  public static Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> joinMapside(
      ReadableData<AdMetadata> metadataRows, PCollection<Impression> impressions) {
    return Channels.split(mapside(metadataRows, byAdId(impressions), JoinType.RIGHT_OUTER_JOIN)
        .parallelDo("enrich", new EnrichFn<>(), enriched()));
  }

  /**
   * The metadata rows' latest row per ad joined map-side with {@code impressions} keyed by ad id: {@code
   * RIGHT_OUTER_JOIN} (every impression, null metadata for an unknown ad) or {@code INNER_JOIN}.
   */
  public static PTable<String, Pair<AdMetadata, Impression>> mapside(ReadableData<AdMetadata> metadataRows,
      PTable<String, Impression> impressions, JoinType joinType) {
    if (joinType != JoinType.RIGHT_OUTER_JOIN && joinType != JoinType.INNER_JOIN) {
      throw new UnsupportedOperationException("the map-side join of metadata keeps every impression or only known "
          + "ads' ones, not " + joinType);
    }
    return impressions.parallelDo("map-side join with each ad's latest metadata",
        new LatestMetadataJoinFn(metadataRows, joinType == JoinType.INNER_JOIN),
        Avros.tableOf(Avros.strings(), Avros.pairs(METADATA, IMPRESSIONS)),
        ParallelDoOptions.builder().sourceTargets(metadataRows.getSourceTargets()).build());
  }

  private static PType<Pair<EnrichedImpression, Tuple3<String, String, Long>>> enriched() {
    return Avros.pairs(Avros.specifics(EnrichedImpression.class), TASK_LOADS);
  }

  private static PCollection<Pair<EnrichedImpression, Tuple3<String, String, Long>>> joined(
      PTable<String, AdMetadata> metadata, PCollection<Impression> impressions,
      JoinStrategy<String, AdMetadata, Impression> joinStrategy, ShardPlan shuffled) {
    // The map-side join shuffles no metadata; the others shuffle each row once per shard of its ad.
    PTable<String, AdMetadata> left = shuffled == null ? metadata
        : metadata.parallelDo("count metadata shuffled", new CountMetadataFn(shuffled), metadata.getPTableType());
    return joinStrategy
        .join(left, byAdId(impressions), JoinType.RIGHT_OUTER_JOIN)
        .parallelDo("enrich", new EnrichFn<>(), enriched());
  }

  /**
   * The Crunch join strategy of a resolved {@code strategy}; {@code plan} is the shard plan of SHARDED and ADAPTIVE
   * (ignored by the others).
   */
  public static JoinStrategy<String, AdMetadata, Impression> joinStrategy(Strategy strategy, ShardPlan plan,
      int reducers) {
    switch (strategy) {
      case DEFAULT:
        return salted(ShardPlan.uniform(1), reducers);
      case MAPSIDE:
        return MapsideJoinStrategy.create();
      case SHARDED:
      case ADAPTIVE:
        return salted(requirePlan(strategy, plan), reducers);
      default:
        throw new IllegalArgumentException("resolve " + strategy + " before joining");
    }
  }

  /** nightjar's salted join of impressions with metadata on {@code plan}, each ad's latest metadata row kept. */
  private static SaltedJoinStrategy<AdMetadata, Impression> salted(ShardPlan plan, int reducers) {
    return new SaltedJoinStrategy<AdMetadata, Impression>(plan, reducers, new ImpressionCodec())
        .keepingLatestLeft(new NewerMetadata(), METADATA_GROUP, DUPLICATE_ROWS_DROPPED);
  }

  private static ShardPlan requirePlan(Strategy strategy, ShardPlan plan) {
    if (plan == null) {
      throw new IllegalArgumentException(strategy + " needs a shard plan");
    }
    return plan;
  }

  private static PTable<String, Impression> byAdId(PCollection<Impression> impressions) {
    return impressions.parallelDo("key impressions by ad", new ByAdIdFn(), Avros.tableOf(Avros.strings(), IMPRESSIONS));
  }

  /** Counts each impression in; quarantines those without an ad id or with a timestamp outside the day. */
  static final class CheckImpressionFn extends QuarantiningDoFn<Impression, Impression> {
    private final long dayStart;

    CheckImpressionFn(LocalDate day) {
      this.dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    @Override
    public void process(Impression impression, Emitter<Pair<Impression, QuarantineRecord>> emitter) {
      countIn(1);
      long ts = impression.getTimestamp();
      if (noAdId(impression.getAdId())) {
        quarantine(MISSING_AD_ID, "impression without an ad id", impression, emitter);
      } else if (ts <= 0) {
        quarantine(BAD_TIMESTAMP, "timestamp " + ts, impression, emitter);
      } else if (ts < dayStart || ts >= dayStart + 86_400_000L) {
        quarantine(OUTSIDE_DAY, java.time.Instant.ofEpochMilli(ts) + " is not in the day processed", impression,
            emitter);
      } else {
        pass(impression, emitter);
      }
    }
  }

  /** (adId, row); rows without an ad id are dropped and counted. */
  static final class KeyMetadataFn extends DoFn<AdMetadata, Pair<String, AdMetadata>> {
    @Override
    public void process(AdMetadata row, Emitter<Pair<String, AdMetadata>> emitter) {
      increment(METADATA_GROUP, "rows");
      if (noAdId(row.getAdId())) {
        increment(METADATA_GROUP, "rows-without-ad-id");
      } else {
        emitter.emit(Pair.of(row.getAdId(), row));
      }
    }
  }

  /**
   * Loads every metadata row when its task starts and keeps each ad's latest ({@link #newer}); then pairs each
   * impression with its ad's row. Only map task 0 counts the rows read, those without an ad id and the duplicates
   * dropped (every task reads the same rows; a failed attempt's counters are discarded).
   */
  static final class LatestMetadataJoinFn
      extends DoFn<Pair<String, Impression>, Pair<String, Pair<AdMetadata, Impression>>> {
    private final ReadableData<AdMetadata> rows;
    private final boolean inner;
    private transient Map<String, AdMetadata> latest;

    LatestMetadataJoinFn(ReadableData<AdMetadata> rows, boolean inner) {
      this.rows = rows;
      this.inner = inner;
    }

    @Override
    public void configure(Configuration conf) {
      rows.configure(conf);
    }

    @Override
    public void initialize() {
      latest = new HashMap<>();
      long read = 0;
      long withoutAdId = 0;
      long duplicates = 0;
      try {
        for (AdMetadata row : rows.read(getContext())) {
          read++;
          String adId = row.getAdId();
          if (noAdId(adId)) {
            withoutAdId++;
            continue;
          }
          AdMetadata kept = latest.putIfAbsent(adId, row);
          if (kept != null) {
            duplicates++;
            if (newer(row, kept)) {
              latest.put(adId, row);
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        throw new IllegalStateException("cannot read the ad metadata for the map-side join: " + e.getMessage(), e);
      }
      TaskAttemptID attempt = getTaskAttemptID();
      if (attempt == null || attempt.getTaskID().getId() == 0) {
        countIfAny("rows", read);
        countIfAny("rows-without-ad-id", withoutAdId);
        countIfAny(DUPLICATE_ROWS_DROPPED, duplicates);
      }
    }

    /** As the reduce-side strategies count: a counter only when something happened. */
    private void countIfAny(String counter, long value) {
      if (value > 0) {
        increment(METADATA_GROUP, counter, value);
      }
    }

    @Override
    public void process(Pair<String, Impression> impression,
        Emitter<Pair<String, Pair<AdMetadata, Impression>>> emitter) {
      AdMetadata ad = latest.get(impression.first());
      if (ad != null || !inner) {
        emitter.emit(Pair.of(impression.first(), Pair.of(ad, impression.second())));
      }
    }
  }

  /** The latest row of one ad id; counts the duplicates dropped for it. */
  static final class CountDuplicatesFn
      extends DoFn<Pair<String, Pair<AdMetadata, Long>>, Pair<String, AdMetadata>> {
    @Override
    public void process(Pair<String, Pair<AdMetadata, Long>> ad, Emitter<Pair<String, AdMetadata>> emitter) {
      long rows = ad.second().second();
      if (rows > 1) {
        increment(METADATA_GROUP, DUPLICATE_ROWS_DROPPED, rows - 1);
      }
      emitter.emit(Pair.of(ad.first(), ad.second().first()));
    }
  }

  /** Whether an impression's or metadata row's ad id is missing: null, empty or only white space. */
  static boolean noAdId(String adId) {
    return adId == null || adId.trim().isEmpty();
  }

  /** Whether metadata row {@code a} wins over {@code b}: later updatedAt, then greater (advertiser, campaign, creative). */
  static boolean newer(AdMetadata a, AdMetadata b) {
    int byTime = Long.compare(a.getUpdatedAt(), b.getUpdatedAt());
    if (byTime != 0) {
      return byTime > 0;
    }
    String left = a.getAdvertiser() + "\u0000" + a.getCampaign() + "\u0000" + a.getCreative();
    String right = b.getAdvertiser() + "\u0000" + b.getCampaign() + "\u0000" + b.getCreative();
    return left.compareTo(right) > 0;
  }

  /** {@link #newer} as the order of {@link LatestPerKey}. */
  static final class NewerMetadata extends LatestPerKey.Order<AdMetadata> {
    @Override
    public boolean wins(AdMetadata a, AdMetadata b) {
      return newer(a, b);
    }
  }

  static final class MetadataCopy extends LatestPerKey.Copy<AdMetadata> {
    @Override
    public AdMetadata copy(AdMetadata row) {
      return AdMetadata.newBuilder(row).build();
    }
  }

  static final class ByAdIdFn extends MapFn<Impression, Pair<String, Impression>> {
    @Override
    public Pair<String, Impression> map(Impression impression) {
      return Pair.of(impression.getAdId(), impression);
    }
  }

  /** Counts the metadata rows the join shuffles: one per shard of the row's ad (one without a plan). */
  static final class CountMetadataFn extends MapFn<Pair<String, AdMetadata>, Pair<String, AdMetadata>> {
    private final ShardPlan plan;

    CountMetadataFn(ShardPlan plan) {
      this.plan = plan;
    }

    @Override
    public Pair<String, AdMetadata> map(Pair<String, AdMetadata> row) {
      increment(JOIN_GROUP, METADATA_ROWS_SHUFFLED, plan.shards(row.first()));
      return row;
    }
  }

  /**
   * An impression with its ad's metadata, or marked unknown. Counts output and unknown ads; when its task ends, emits
   * the task's row count and its three busiest ad ids on the second channel.
   */
  static final class EnrichFn<K> extends AccountedDoFn<Pair<K, Pair<AdMetadata, Impression>>,
      Pair<EnrichedImpression, Tuple3<String, String, Long>>> {
    private transient long taskRows;
    private transient Map<String, Long> rowsByAd;
    // Rows of one ad arrive together (a reduce group per ad and shard): counted in a run, added to the map per run.
    private transient String runAd;
    private transient long runRows;

    @Override
    public void initialize() {
      taskRows = 0;
      rowsByAd = new HashMap<>();
      runAd = null;
      runRows = 0;
    }

    @Override
    public void process(Pair<K, Pair<AdMetadata, Impression>> joined,
        Emitter<Pair<EnrichedImpression, Tuple3<String, String, Long>>> emitter) {
      AdMetadata ad = joined.second().first();
      Impression impression = joined.second().second();
      // The all-arguments constructor: the builder looks up schema defaults and validates each field.
      EnrichedImpression out = ad != null
          ? new EnrichedImpression(impression.getImpressionId(), impression.getAdId(), impression.getTimestamp(),
              impression.getUserId(), impression.getDeviceType(), impression.getCountry(), true, ad.getAdvertiser(),
              ad.getCampaign(), ad.getCreative())
          : new EnrichedImpression(impression.getImpressionId(), impression.getAdId(), impression.getTimestamp(),
              impression.getUserId(), impression.getDeviceType(), impression.getCountry(), false, null, null, null);
      if (ad == null) {
        increment(JOIN_GROUP, UNKNOWN_AD);
      }
      emitter.emit(Pair.of(out, null));
      countOut(1);
      countWritten(1);
      taskRows++;
      String adId = impression.getAdId();
      if (runRows > 0 && !Objects.equals(adId, runAd)) {
        rowsByAd.merge(runAd, runRows, Long::sum);
        runRows = 0;
      }
      runAd = adId;
      runRows++;
    }

    @Override
    protected void finish(Emitter<Pair<EnrichedImpression, Tuple3<String, String, Long>>> emitter) {
      if (taskRows == 0) {
        return;
      }
      rowsByAd.merge(runAd, runRows, Long::sum);
      runRows = 0;
      String task = taskName();
      emitter.emit(Pair.of(null, Tuple3.of(task, "", taskRows)));
      rowsByAd.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(3)
          .forEach(e -> emitter.emit(Pair.of(null, Tuple3.of(task, e.getKey(), e.getValue()))));
    }

    private String taskName() {
      if (getContext() == null) {
        return "local";
      }
      TaskAttemptID attempt = getContext().getTaskAttemptID();
      return String.format("%s-%05d", attempt.getTaskType().name().toLowerCase().charAt(0) == 'r' ? "reduce" : "map",
          attempt.getTaskID().getId());
    }
  }
}

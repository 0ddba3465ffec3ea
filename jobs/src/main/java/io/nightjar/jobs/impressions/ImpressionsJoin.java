package io.nightjar.jobs.impressions;

import static io.nightjar.common.NightjarTypes.orQuarantine;
import static io.nightjar.common.NightjarTypes.quarantine;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.AccountedDoFn;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.GroupingOptions;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.Tuple3;
import org.apache.crunch.lib.Channels;
import org.apache.crunch.lib.Sample;
import org.apache.crunch.lib.join.DefaultJoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.lib.join.MapsideJoinStrategy;
import org.apache.crunch.lib.join.RightOuterJoinFn;
import org.apache.crunch.types.PTableType;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.PTypeFamily;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.mapreduce.TaskAttemptID;

/**
 * Impressions left-outer-joined with ad metadata, with a choice of join strategy for skewed ad ids. Every strategy
 * gives the same records. In all of them the metadata is Crunch's left side (the side a join holds in memory: one row
 * per ad, or all of it for {@link Strategy#MAPSIDE}) and the impressions stream through as the preserved right side
 * ({@code RIGHT_OUTER_JOIN}), which is the left outer join of impressions with metadata.
 *
 * <ul>
 *   <li>{@code DEFAULT}: Crunch's reduce-side join. All impressions of an ad meet in one reduce group, so one reducer
 *       takes all of the hottest ad.</li>
 *   <li>{@code SHARDED}: every ad's impressions spread over N shards by a hash of the impression id, its metadata
 *       copied N times (N x metadata rows shuffled). Crunch's {@code ShardedJoinStrategy} replicates the right side,
 *       which here is the side that must be preserved, so this is nightjar's own salt-and-replicate.</li>
 *   <li>{@code ADAPTIVE}: a sample of the impressions estimates each ad's count; only ads above a target get more
 *       than one shard (see {@link ShardPlan#adaptive}); metadata copied only for those.</li>
 *   <li>{@code MAPSIDE}: Crunch's {@code MapsideJoinStrategy}, metadata loaded into every map task; no shuffle of
 *       impressions at all. Use when the metadata fits in task memory with room to spare.</li>
 * </ul>
 */
public final class ImpressionsJoin {

  /** Join strategies; {@code AUTO} resolves to {@code MAPSIDE} or {@code ADAPTIVE} by the metadata's size. */
  public enum Strategy { DEFAULT, SHARDED, ADAPTIVE, MAPSIDE, AUTO }

  public static final String MISSING_AD_ID = "MISSING_AD_ID";
  public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";
  public static final String OUTSIDE_DAY = "OUTSIDE_DAY";

  /** Counters about the metadata side: rows read, invalid rows dropped, duplicate rows dropped. */
  public static final String METADATA_GROUP = "nightjar.metadata";
  /** Counters about the join: metadata rows shuffled into it, impressions of unknown ads. */
  public static final String JOIN_GROUP = "nightjar.join";
  public static final String METADATA_ROWS_SHUFFLED = "metadata-rows-shuffled";
  public static final String UNKNOWN_AD = "unknown-ad";

  private static final PType<Impression> IMPRESSIONS = Avros.specifics(Impression.class);
  private static final PType<AdMetadata> METADATA = Avros.specifics(AdMetadata.class);
  private static final PType<Pair<String, Integer>> SALTED_KEY = Avros.pairs(Avros.strings(), Avros.ints());
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
    return metadata
        .parallelDo("key metadata by ad", new KeyMetadataFn(), Avros.tableOf(Avros.strings(), METADATA))
        .groupByKey()
        .parallelDo("latest metadata per ad", new PickLatestFn(), Avros.tableOf(Avros.strings(), METADATA));
  }

  /**
   * Estimated impressions per ad id from a seeded Bernoulli sample of {@code fraction} (scaled up). Runs a job.
   * Reads the raw impressions, so it does not touch the record accounting.
   */
  public static Map<String, Long> estimateCounts(PCollection<Impression> impressions, double fraction, long seed) {
    PCollection<String> adIds = impressions.parallelDo("ad ids", new AdIdFn(), Avros.strings());
    Map<String, Long> estimates = new HashMap<>();
    for (Pair<String, Long> sampled : Sample.sample(adIds, seed, fraction).count().materialize()) {
      estimates.put(sampled.first(), Math.round(sampled.second() / fraction));
    }
    return estimates;
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
    return Channels.split(joined(metadata, impressions, strategy, plan, reducers));
  }

  private static PCollection<Pair<EnrichedImpression, Tuple3<String, String, Long>>> joined(
      PTable<String, AdMetadata> metadata, PCollection<Impression> impressions, Strategy strategy, ShardPlan plan,
      int reducers) {
    PType<Pair<EnrichedImpression, Tuple3<String, String, Long>>> enriched = Avros.pairs(
        Avros.specifics(EnrichedImpression.class), TASK_LOADS);
    switch (strategy) {
      case DEFAULT:
        return new DefaultJoinStrategy<String, AdMetadata, Impression>(reducers)
            .join(countShuffled(metadata), byAdId(impressions), JoinType.RIGHT_OUTER_JOIN)
            .parallelDo("enrich", new EnrichFn<>(), enriched);
      case MAPSIDE:
        return MapsideJoinStrategy.<String, AdMetadata, Impression>create()
            .join(metadata, byAdId(impressions), JoinType.RIGHT_OUTER_JOIN)
            .parallelDo("enrich", new EnrichFn<>(), enriched);
      case SHARDED:
      case ADAPTIVE:
        PTable<Pair<String, Integer>, AdMetadata> saltedMetadata = metadata.parallelDo("copy metadata per shard",
            new ReplicateMetadataFn(plan), Avros.tableOf(SALTED_KEY, METADATA));
        PTable<Pair<String, Integer>, Impression> saltedImpressions = impressions.parallelDo("salt impressions",
            new SaltImpressionFn(plan), Avros.tableOf(SALTED_KEY, IMPRESSIONS));
        return shardAwareRightOuterJoin(saltedMetadata, saltedImpressions, plan, reducers)
            .parallelDo("enrich", new EnrichFn<>(), enriched);
      default:
        throw new IllegalArgumentException("resolve " + strategy + " before joining");
    }
  }

  /**
   * Crunch's reduce-side right outer join, as {@code DefaultJoinStrategy} builds it (rows tagged 0 for left and 1 for
   * right, sorted by (key, tag) so a key's left rows are held when its right rows stream past), but partitioned with
   * {@link ShardAwarePartitioner} so the shards of one key land on different reducers.
   */
  static <K, U, V> PTable<K, Pair<U, V>> shardAwareRightOuterJoin(PTable<K, U> left, PTable<K, V> right,
      ShardPlan plan, int reducers) {
    PTypeFamily ptf = left.getTypeFamily();
    PTableType<Pair<K, Integer>, Pair<U, V>> tagged = ptf.tableOf(ptf.pairs(left.getKeyType(), ptf.ints()),
        ptf.pairs(left.getValueType(), right.getValueType()));
    PTable<Pair<K, Integer>, Pair<U, V>> taggedLeft = left.parallelDo("tag left", new TagFn<>(0), tagged);
    PTable<Pair<K, Integer>, Pair<U, V>> taggedRight = right.parallelDo("tag right", new TagFn<>(1), tagged);
    GroupingOptions options = GroupingOptions.builder()
        .requireSortedKeys()
        .partitionerClass(ShardAwarePartitioner.class)
        .conf(ShardAwarePartitioner.PLAN_KEY, plan.serialize())
        .numReducers(reducers)
        .build();
    return taggedLeft.union(taggedRight).groupByKey(options).parallelDo("right outer join",
        new RightOuterJoinFn<K, U, V>(left.getKeyType(), left.getValueType()),
        ptf.tableOf(left.getKeyType(), ptf.pairs(left.getValueType(), right.getValueType())));
  }

  private static PTable<String, Impression> byAdId(PCollection<Impression> impressions) {
    return impressions.parallelDo("key impressions by ad", new ByAdIdFn(), Avros.tableOf(Avros.strings(), IMPRESSIONS));
  }

  private static PTable<String, AdMetadata> countShuffled(PTable<String, AdMetadata> metadata) {
    return metadata.parallelDo("count metadata shuffled", new CountMetadataFn(), metadata.getPTableType());
  }

  /** Counts each impression in; quarantines those without an ad id or with a timestamp outside the day. */
  static final class CheckImpressionFn extends AccountedDoFn<Impression, Pair<Impression, QuarantineRecord>> {
    private final long dayStart;

    CheckImpressionFn(LocalDate day) {
      this.dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    @Override
    public void process(Impression impression, Emitter<Pair<Impression, QuarantineRecord>> emitter) {
      countIn(1);
      String reason = null;
      String detail = null;
      long ts = impression.getTimestamp();
      if (impression.getAdId() == null || impression.getAdId().trim().isEmpty()) {
        reason = MISSING_AD_ID;
        detail = "impression without an ad id";
      } else if (ts <= 0) {
        reason = BAD_TIMESTAMP;
        detail = "timestamp " + ts;
      } else if (ts < dayStart || ts >= dayStart + 86_400_000L) {
        reason = OUTSIDE_DAY;
        detail = java.time.Instant.ofEpochMilli(ts) + " is not in the day processed";
      }
      if (reason == null) {
        emitter.emit(Pair.of(impression, null));
      } else {
        countQuarantined(reason, 1);
        emitter.emit(Pair.of(null, quarantine(reason, detail, impression.toString(), 1)));
      }
    }
  }

  /** (adId, row); rows without an ad id are dropped and counted. */
  static final class KeyMetadataFn extends DoFn<AdMetadata, Pair<String, AdMetadata>> {
    @Override
    public void process(AdMetadata row, Emitter<Pair<String, AdMetadata>> emitter) {
      increment(METADATA_GROUP, "rows");
      if (row.getAdId() == null || row.getAdId().trim().isEmpty()) {
        increment(METADATA_GROUP, "rows-without-ad-id");
      } else {
        emitter.emit(Pair.of(row.getAdId(), row));
      }
    }
  }

  /** The latest row of one ad id; counts the duplicates it drops. */
  static final class PickLatestFn extends DoFn<Pair<String, Iterable<AdMetadata>>, Pair<String, AdMetadata>> {
    @Override
    public void process(Pair<String, Iterable<AdMetadata>> rows, Emitter<Pair<String, AdMetadata>> emitter) {
      AdMetadata best = null;
      long seen = 0;
      for (AdMetadata row : rows.second()) {
        seen++;
        if (best == null || newer(row, best)) {
          best = AdMetadata.newBuilder(row).build();
        }
      }
      if (seen > 1) {
        increment(METADATA_GROUP, "duplicate-rows-dropped", seen - 1);
      }
      emitter.emit(Pair.of(rows.first(), best));
    }

    static boolean newer(AdMetadata a, AdMetadata b) {
      int byTime = Long.compare(a.getUpdatedAt(), b.getUpdatedAt());
      if (byTime != 0) {
        return byTime > 0;
      }
      String left = a.getAdvertiser() + "\u0000" + a.getCampaign() + "\u0000" + a.getCreative();
      String right = b.getAdvertiser() + "\u0000" + b.getCampaign() + "\u0000" + b.getCreative();
      return left.compareTo(right) > 0;
    }
  }

  static final class AdIdFn extends MapFn<Impression, String> {
    @Override
    public String map(Impression impression) {
      return impression.getAdId() == null ? "" : impression.getAdId();
    }
  }

  static final class ByAdIdFn extends MapFn<Impression, Pair<String, Impression>> {
    @Override
    public Pair<String, Impression> map(Impression impression) {
      return Pair.of(impression.getAdId(), impression);
    }
  }

  static final class CountMetadataFn extends MapFn<Pair<String, AdMetadata>, Pair<String, AdMetadata>> {
    @Override
    public Pair<String, AdMetadata> map(Pair<String, AdMetadata> row) {
      increment(JOIN_GROUP, METADATA_ROWS_SHUFFLED);
      return row;
    }
  }

  /** One copy of an ad's metadata per shard the plan gives it. */
  static final class ReplicateMetadataFn extends DoFn<Pair<String, AdMetadata>, Pair<Pair<String, Integer>, AdMetadata>> {
    private final ShardPlan plan;

    ReplicateMetadataFn(ShardPlan plan) {
      this.plan = plan;
    }

    @Override
    public void process(Pair<String, AdMetadata> row, Emitter<Pair<Pair<String, Integer>, AdMetadata>> emitter) {
      int shards = plan.shards(row.first());
      for (int shard = 0; shard < shards; shard++) {
        emitter.emit(Pair.of(Pair.of(row.first(), shard), row.second()));
      }
      increment(JOIN_GROUP, METADATA_ROWS_SHUFFLED, shards);
    }
  }

  /** (adId, shard from a hash of the impression id). */
  static final class SaltImpressionFn extends MapFn<Impression, Pair<Pair<String, Integer>, Impression>> {
    private final ShardPlan plan;

    SaltImpressionFn(ShardPlan plan) {
      this.plan = plan;
    }

    @Override
    public Pair<Pair<String, Integer>, Impression> map(Impression impression) {
      String adId = impression.getAdId();
      return Pair.of(Pair.of(adId, plan.shardOf(adId, impression.getImpressionId())), impression);
    }
  }

  static final class TagFn<K, U, V, T> extends MapFn<Pair<K, T>, Pair<Pair<K, Integer>, Pair<U, V>>> {
    private final int tag;

    TagFn(int tag) {
      this.tag = tag;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Pair<Pair<K, Integer>, Pair<U, V>> map(Pair<K, T> input) {
      Pair<U, V> value = tag == 0 ? Pair.of((U) input.second(), null) : Pair.of(null, (V) input.second());
      return Pair.of(Pair.of(input.first(), tag), value);
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

    @Override
    public void initialize() {
      taskRows = 0;
      rowsByAd = new HashMap<>();
    }

    @Override
    public void process(Pair<K, Pair<AdMetadata, Impression>> joined,
        Emitter<Pair<EnrichedImpression, Tuple3<String, String, Long>>> emitter) {
      AdMetadata ad = joined.second().first();
      Impression impression = joined.second().second();
      EnrichedImpression.Builder out = EnrichedImpression.newBuilder()
          .setImpressionId(impression.getImpressionId())
          .setAdId(impression.getAdId())
          .setTimestamp(impression.getTimestamp())
          .setUserId(impression.getUserId())
          .setDeviceType(impression.getDeviceType())
          .setCountry(impression.getCountry())
          .setAdKnown(ad != null);
      if (ad != null) {
        out.setAdvertiser(ad.getAdvertiser()).setCampaign(ad.getCampaign()).setCreative(ad.getCreative());
      } else {
        increment(JOIN_GROUP, UNKNOWN_AD);
      }
      emitter.emit(Pair.of(out.build(), null));
      countOut(1);
      countWritten(1);
      taskRows++;
      rowsByAd.merge(impression.getAdId(), 1L, Long::sum);
    }

    @Override
    public void cleanup(Emitter<Pair<EnrichedImpression, Tuple3<String, String, Long>>> emitter) {
      if (taskRows == 0) {
        return;
      }
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

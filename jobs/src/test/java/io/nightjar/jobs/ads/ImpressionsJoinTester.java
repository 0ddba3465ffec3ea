package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.common.collect.Lists;
import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.types.avro.Avros;
import org.junit.Before;
import org.junit.Test;

/**
 * The join cases every impressions-join strategy must pass, in the style of Crunch's own {@code JoinTester}
 * (crunch-core {@code src/it/.../lib/join/JoinTester.java}): one subclass per strategy, on MemPipeline. Each
 * strategy's rows are compared with rows written out by hand below, so every strategy publishes the same rows.
 */
public abstract class ImpressionsJoinTester {

  static final LocalDate DAY = LocalDate.parse("2016-05-01");
  static final long T = Instant.parse("2016-05-01T10:00:00Z").toEpochMilli();
  static final int REDUCERS = 3;

  /** The strategy under test, resolved (not AUTO). */
  protected abstract Strategy strategy();

  /** Its shard plan, or null when it needs none. */
  protected abstract ShardPlan plan();

  /** Metadata rows it shuffles for the three known ads of the fixture (counter {@code metadata-rows-shuffled}). */
  protected abstract long metadataRowsShuffled();

  private List<Impression> impressions;
  private List<AdMetadata> metadata;

  @Before
  public void setUp() {
    MemPipeline.clearCounters();
    impressions = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      impressions.add(impression("hot-" + i, "ad-hot", T + i));
    }
    impressions.add(impression("c1", "ad-cold", T));
    impressions.add(impression("u1", "ad-unknown", T));
    impressions.add(impression("d1", "ad-dup", T));
    impressions.add(impression("bad-null", null, T));
    impressions.add(impression("bad-empty", " ", T));
    impressions.add(impression("bad-late", "ad-cold", T + 86_400_000L));
    impressions.add(impression("bad-zero", "ad-cold", 0));
    metadata = Lists.newArrayList(
        new AdMetadata("ad-hot", "adv-h", "camp-h", "cr-h", 5L),
        new AdMetadata("ad-cold", "adv-c", "camp-c", "cr-c", 5L),
        new AdMetadata("ad-dup", "adv-d", "stale", "cr-d", 4L),
        new AdMetadata("ad-dup", "adv-d", "fresh-a", "cr-d", 9L),
        new AdMetadata("ad-dup", "adv-d", "fresh-b", "cr-d", 9L),  // same updatedAt: the greater campaign wins
        new AdMetadata("ad-dup", "adv-d", "stale-late", "cr-d", 3L),  // read last, yet not the latest
        new AdMetadata("", "adv-x", "camp-x", "cr-x", 1L));
  }

  @Test
  public void everyValidImpressionOnceWithItsAdsLatestMetadata() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      expected.add(enriched("hot-" + i, "ad-hot", T + i, "adv-h", "camp-h", "cr-h").toString());
    }
    expected.add(enriched("c1", "ad-cold", T, "adv-c", "camp-c", "cr-c").toString());
    expected.add(enriched("d1", "ad-dup", T, "adv-d", "fresh-b", "cr-d").toString());
    expected.add(enriched("u1", "ad-unknown", T, null, null, null).toString());

    Set<String> rows = new HashSet<>();
    for (EnrichedImpression row : join()) {
      assertTrue(strategy() + ": duplicate row " + row, rows.add(row.toString()));
    }
    assertEquals(63, expected.size());
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(rows);
    Set<String> unexpected = new TreeSet<>(rows);
    unexpected.removeAll(expected);
    assertEquals(strategy() + ": rows missing", Set.of(), missing);
    assertEquals(strategy() + ": rows not expected", Set.of(), unexpected);
  }

  @Test
  public void accountingAddsUpAndDroppedRowsAreCounted() {
    join();
    RecordAccounting accounting = RecordAccounting.of(MemPipeline.getCounters());
    assertEquals(67, accounting.in());
    assertEquals(63, accounting.out());
    assertEquals(4, accounting.quarantined());
    Map<String, Long> reasons = new TreeMap<>();
    reasons.put(ImpressionsJoin.BAD_TIMESTAMP, 1L);
    reasons.put(ImpressionsJoin.MISSING_AD_ID, 2L);
    reasons.put(ImpressionsJoin.OUTSIDE_DAY, 1L);
    assertEquals(reasons, accounting.quarantineReasons());
    accounting.check();
    assertEquals(3, counter(ImpressionsJoin.METADATA_GROUP, "duplicate-rows-dropped"));
    assertEquals(1, counter(ImpressionsJoin.METADATA_GROUP, "rows-without-ad-id"));
    assertEquals(1, counter(ImpressionsJoin.JOIN_GROUP, ImpressionsJoin.UNKNOWN_AD));
    assertEquals(metadataRowsShuffled(), counter(ImpressionsJoin.JOIN_GROUP, ImpressionsJoin.METADATA_ROWS_SHUFFLED));
  }

  @Test
  public void innerJoinDropsImpressionsOfUnknownAds() {
    Set<String> ids = new HashSet<>();
    for (Pair<String, Pair<AdMetadata, Impression>> row : strategyJoin(JoinType.INNER_JOIN).materialize()) {
      assertEquals(row.first(), row.second().first().getAdId());
      assertEquals(row.first(), row.second().second().getAdId());
      assertTrue("duplicate " + row, ids.add(row.second().second().getImpressionId()));
    }
    assertEquals(62, ids.size());
    assertTrue(ids.contains("hot-59") && ids.contains("d1") && !ids.contains("u1"));
  }

  /** The enriched rows of the fixture, through {@link ImpressionsJoin#joinRows} as the tool calls it. */
  protected List<EnrichedImpression> join() {
    Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checked = checked();
    assertEquals(4, Lists.newArrayList(checked.second().materialize()).size());
    return Lists.newArrayList(ImpressionsJoin.joinRows(metadataRows(), checked.first(), strategy(), plan(), REDUCERS)
        .first().materialize());
  }

  /** The strategy's {@code JoinStrategy} alone, on the valid impressions keyed by ad. */
  protected PTable<String, Pair<AdMetadata, Impression>> strategyJoin(JoinType joinType) {
    PTable<String, Impression> byAd = checked().first().by(new ImpressionAdIdFn(), Avros.strings());
    return joinStrategy().join(latestMetadata(), byAd, joinType);
  }

  /** The Crunch join strategy {@link #strategyJoin} runs. */
  protected JoinStrategy<String, AdMetadata, Impression> joinStrategy() {
    return ImpressionsJoin.joinStrategy(strategy(), plan(), REDUCERS);
  }

  protected Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checked() {
    PCollection<Impression> imps = MemPipeline.typedCollectionOf(Avros.specifics(Impression.class), impressions);
    return ImpressionsJoin.checkImpressions(imps, DAY);
  }

  protected PTable<String, AdMetadata> latestMetadata() {
    return ImpressionsJoin.latestMetadata(metadataRows());
  }

  protected PCollection<AdMetadata> metadataRows() {
    return MemPipeline.typedCollectionOf(Avros.specifics(AdMetadata.class), metadata);
  }

  private static long counter(String group, String name) {
    return MemPipeline.getCounters().findCounter(group, name).getValue();
  }

  static Impression impression(String id, String adId, long ts) {
    return new Impression(id, adId, ts, "user", "phone", "SE");
  }

  private static EnrichedImpression enriched(String id, String adId, long ts, String advertiser, String campaign,
      String creative) {
    return EnrichedImpression.newBuilder().setImpressionId(id).setAdId(adId).setTimestamp(ts).setUserId("user")
        .setDeviceType("phone").setCountry("SE").setAdKnown(advertiser != null).setAdvertiser(advertiser)
        .setCampaign(campaign).setCreative(creative).build();
  }

  static final class ImpressionAdIdFn extends org.apache.crunch.MapFn<Impression, String> {
    @Override
    public String map(Impression impression) {
      return impression.getAdId();
    }
  }
}

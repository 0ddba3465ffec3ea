package io.nightjar.jobs.impressions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.google.common.collect.Lists;
import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.RecordAccounting;
import io.nightjar.jobs.impressions.ImpressionsJoin.Strategy;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.impl.mem.MemPipeline;
import org.apache.crunch.types.avro.Avros;
import org.junit.Before;
import org.junit.Test;

/** Join semantics on MemPipeline: every strategy gives the same rows; bad input, unknown ads, duplicate metadata. */
public class ImpressionsJoinTest {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");
  private static final long T = Instant.parse("2016-05-01T10:00:00Z").toEpochMilli();

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
        new AdMetadata("", "adv-x", "camp-x", "cr-x", 1L));
  }

  @Test
  public void everyStrategyGivesTheSameRows() {
    Map<String, ShardPlan> plans = new HashMap<>();
    plans.put("sharded", ShardPlan.uniform(4));
    Map<String, Long> estimates = new HashMap<>();
    estimates.put("ad-hot", 60L);
    estimates.put("ad-cold", 1L);
    plans.put("adaptive", ShardPlan.adaptive(estimates, 16, 10));
    assertEquals(4, plans.get("adaptive").shards("ad-hot"));

    Set<String> reference = null;
    for (Strategy strategy : new Strategy[] {Strategy.DEFAULT, Strategy.SHARDED, Strategy.ADAPTIVE, Strategy.MAPSIDE}) {
      Set<String> rows = new HashSet<>();
      for (EnrichedImpression row : run(strategy, plans.get(strategy.name().toLowerCase()))) {
        assertTrue("duplicate row " + row, rows.add(row.toString()));
      }
      if (reference == null) {
        reference = rows;
      } else {
        assertEquals(strategy + " differs from default", reference, rows);
      }
    }
    assertEquals(63, reference.size());
  }

  @Test
  public void leftOuterJoinKeepsUnknownAdsAndTheLatestMetadataWins() {
    Map<String, EnrichedImpression> byId = new TreeMap<>();
    for (EnrichedImpression row : run(Strategy.DEFAULT, null)) {
      byId.put(row.getImpressionId(), row);
    }
    EnrichedImpression unknown = byId.get("u1");
    assertFalse(unknown.getAdKnown());
    assertEquals(null, unknown.getAdvertiser());
    assertEquals("fresh-b", byId.get("d1").getCampaign());
    assertEquals("camp-h", byId.get("hot-7").getCampaign());
    assertTrue(byId.get("hot-7").getAdKnown());

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
    assertEquals(2, MemPipeline.getCounters().findCounter(ImpressionsJoin.METADATA_GROUP, "duplicate-rows-dropped")
        .getValue());
    assertEquals(1, MemPipeline.getCounters().findCounter(ImpressionsJoin.METADATA_GROUP, "rows-without-ad-id")
        .getValue());
    assertEquals(1, MemPipeline.getCounters().findCounter(ImpressionsJoin.JOIN_GROUP, ImpressionsJoin.UNKNOWN_AD)
        .getValue());
  }

  @Test
  public void adaptivePlanShardsOnlyHotKeysAndShardsAreStable() {
    Map<String, Long> estimates = new HashMap<>();
    estimates.put("hot", 1000L);
    estimates.put("warm", 101L);
    estimates.put("cold", 100L);
    ShardPlan plan = ShardPlan.adaptive(estimates, 100, 8);
    Set<Integer> hotReducers = new HashSet<>();
    for (int shard = 0; shard < 8; shard++) {
      hotReducers.add(plan.partition("hot", shard, 8));
    }
    assertEquals("the hot key's shards are placed on 8 different reducers", 8, hotReducers.size());
    assertEquals(8, plan.shards("hot"));           // 10 wanted, capped at 8
    assertEquals(2, plan.shards("warm"));
    assertEquals(1, plan.shards("cold"));
    assertEquals(1, plan.shards("never-seen"));
    assertEquals(2, plan.hotKeys().size());
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int shard = plan.shardOf("hot", "imp-" + i);
      assertEquals("same id, same shard", shard, plan.shardOf("hot", "imp-" + i));
      used.add(shard);
    }
    assertEquals(8, used.size());
  }

  @Test
  public void shardsOfOneKeyGoToConsecutiveReducers() {
    ShardAwarePartitioner partitioner = new ShardAwarePartitioner();
    Set<Integer> partitions = new HashSet<>();
    for (int shard = 0; shard < 7; shard++) {
      partitions.add(partitioner.getPartition(taggedKey("ad-hot", shard, 1), null, 7));
      assertEquals("left and right rows of a shard meet", partitioner.getPartition(taggedKey("ad-hot", shard, 0),
          null, 7), partitioner.getPartition(taggedKey("ad-hot", shard, 1), null, 7));
    }
    assertEquals(7, partitions.size());
    assertNotEquals(-1, partitioner.getPartition(taggedKey("ad-cold", 0, 0), null, 7));
  }

  private List<EnrichedImpression> run(Strategy strategy, ShardPlan plan) {
    PCollection<Impression> imps = MemPipeline.typedCollectionOf(Avros.specifics(Impression.class), impressions);
    PCollection<AdMetadata> meta = MemPipeline.typedCollectionOf(Avros.specifics(AdMetadata.class), metadata);
    Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checked = ImpressionsJoin.checkImpressions(imps, DAY);
    assertEquals(4, Lists.newArrayList(checked.second().materialize()).size());
    return Lists.newArrayList(ImpressionsJoin.join(ImpressionsJoin.latestMetadata(meta), checked.first(), strategy,
        plan, 3).first().materialize());
  }

  private static Impression impression(String id, String adId, long ts) {
    return new Impression(id, adId, ts, "user", "phone", "SE");
  }

  private static GenericRecord taggedKey(String adId, int shard, int tag) {
    org.apache.avro.Schema salted = Avros.pairs(Avros.strings(), Avros.ints()).getSchema();
    org.apache.avro.Schema tagged = Avros.pairs(Avros.pairs(Avros.strings(), Avros.ints()), Avros.ints()).getSchema();
    GenericRecord key = new GenericData.Record(salted);
    key.put(0, adId);
    key.put(1, shard);
    GenericRecord record = new GenericData.Record(tagged);
    record.put(0, key);
    record.put(1, tag);
    return record;
  }
}

package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Shard plans and the partitioner that places their shards (the join cases per strategy: {@link ImpressionsJoinTester}). */
public class ShardPlanTest {

  @Test
  public void adaptivePlanShardsOnlyHotKeys() {
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
    assertEquals("as Crunch's ShardingStrategy", 8, plan.getNumShards("hot"));
    assertEquals(1, plan.getNumShards("never-seen"));
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

  private static SaltedKey taggedKey(String adId, int shard, int tag) {
    return new SaltedKey(adId, shard, tag);
  }
}

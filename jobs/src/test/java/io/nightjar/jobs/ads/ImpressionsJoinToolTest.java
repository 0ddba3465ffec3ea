package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

public class ImpressionsJoinToolTest {

  @Test
  public void adaptiveCoalescesReducersToTheEstimatedRows() {
    assertEquals("10 M rows at 1 M a reducer", 10, ImpressionsJoinTool.coalescedReducers(10_000_000, 1_000_000, 64));
    assertEquals("rounded up", 11, ImpressionsJoinTool.coalescedReducers(10_000_001, 1_000_000, 64));
    assertEquals("at most --reducers", 64, ImpressionsJoinTool.coalescedReducers(500_000_000, 1_000_000, 64));
    assertEquals("at least one", 1, ImpressionsJoinTool.coalescedReducers(0, 1_000_000, 64));
  }

  /**
   * A skewed day of 1 M impressions on the defaults: adaptive uses the default strategy's 10 reducers and its
   * largest task is smaller than the default strategy's (before, one reducer per 1 M rows coalesced the day onto
   * one or two reducers, the largest holding 1.5x the default strategy's largest).
   */
  @Test
  public void onADayOfAMillionAdaptiveBeatsTheDefaultStrategysLargestTask() {
    Map<String, Long> estimates = new HashMap<>();
    estimates.put("ad-hot", 300_000L);
    estimates.put("ad-warm", 100_000L);
    for (int ad = 0; ad < 600; ad++) {
      estimates.put("ad-" + ad, 1_000L);
    }
    long total = estimates.values().stream().mapToLong(Long::longValue).sum();
    int reducers = ImpressionsJoinTool.coalescedReducers(total, ImpressionsJoinTool.DEFAULT_ROWS_PER_REDUCER,
        ImpressionsJoinTool.DEFAULT_REDUCERS);
    assertEquals(ImpressionsJoinTool.DEFAULT_REDUCERS, reducers);
    long defaultLargest = ShardPlan.largestUnshardedLoad(estimates, ImpressionsJoinTool.DEFAULT_REDUCERS);
    assertTrue("at least the hottest ad: " + defaultLargest, defaultLargest >= 300_000);

    ShardPlan plan = ShardPlan.adaptive(estimates, Math.max(1, (long) (total / (double) reducers * 0.25)), reducers);
    long[] load = new long[reducers];
    estimates.forEach((ad, rows) -> {
      int shards = plan.shards(ad);
      for (int shard = 0; shard < shards; shard++) {
        load[plan.partition(ad, shard, reducers)] += rows / shards;
      }
    });
    long adaptiveLargest = Arrays.stream(load).max().orElse(0);
    assertTrue(adaptiveLargest + " vs the default strategy's " + defaultLargest,
        adaptiveLargest < 0.5 * defaultLargest);
  }
}

package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;

import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

/**
 * {@code --strategy adaptive}: {@link SaltedJoinStrategy} with a plan from estimated counts: the hot ad gets 4 shards
 * (60 rows, 16 per shard), the others one, so metadata is copied 4 + 1 + 1 times.
 */
public class AdaptiveJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.ADAPTIVE;
  }

  @Override
  protected ShardPlan plan() {
    Map<String, Long> estimates = new HashMap<>();
    estimates.put("ad-hot", 60L);
    estimates.put("ad-cold", 1L);
    return ShardPlan.adaptive(estimates, 16, 10);
  }

  @Override
  protected long metadataRowsShuffled() {
    // the hot ad's 4 shards, two cold ads, and the three duplicate rows of cold ads (deduplicated in the join)
    return 4 + 1 + 1 + 3;
  }

  @Test
  public void onlyTheHotAdIsSharded() {
    assertEquals(4, plan().shards("ad-hot"));
    assertEquals(1, plan().shards("ad-dup"));
    assertEquals(plan().shards("ad-hot"), plan().getNumShards("ad-hot"));
  }
}

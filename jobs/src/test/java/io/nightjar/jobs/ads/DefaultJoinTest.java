package io.nightjar.jobs.ads;

import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;

/** {@code --strategy default}: the salted join with one shard per ad, each ad's metadata shuffled once. */
public class DefaultJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.DEFAULT;
  }

  @Override
  protected ShardPlan plan() {
    return null;
  }

  @Override
  protected long metadataRowsShuffled() {
    // three ads, and the three duplicate rows: deduplicated in the join's own shuffle
    return 3 + 3;
  }
}

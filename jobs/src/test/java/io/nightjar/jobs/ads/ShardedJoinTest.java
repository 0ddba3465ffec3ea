package io.nightjar.jobs.ads;

import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import org.apache.crunch.lib.join.JoinType;
import org.junit.Test;

/** {@code --strategy sharded}: {@link SaltedJoinStrategy} with 4 shards per ad, metadata copied 4 times. */
public class ShardedJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.SHARDED;
  }

  @Override
  protected ShardPlan plan() {
    return ShardPlan.uniform(4);
  }

  @Override
  protected long metadataRowsShuffled() {
    // three ads and the three duplicate rows (deduplicated in the join), each copied to 4 shards
    return (3 + 3) * 4;
  }

  @Test(expected = UnsupportedOperationException.class)
  public void leftOuterJoinWouldRepeatUnmatchedLeftRowsPerShard() {
    strategyJoin(JoinType.LEFT_OUTER_JOIN);
  }

  @Test(expected = UnsupportedOperationException.class)
  public void fullOuterJoinWouldRepeatUnmatchedLeftRowsPerShard() {
    strategyJoin(JoinType.FULL_OUTER_JOIN);
  }
}

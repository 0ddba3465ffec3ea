package io.nightjar.jobs.ads;

import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import org.apache.crunch.lib.join.JoinType;
import org.junit.Test;

/** {@code --strategy crunch-sharded}: Crunch's {@code ShardedJoinStrategy} on the same 4-shard plan as sharded. */
public class CrunchShardedJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.CRUNCH_SHARDED;
  }

  @Override
  protected ShardPlan plan() {
    return ShardPlan.uniform(4);
  }

  @Override
  protected long metadataRowsShuffled() {
    return 3 * 4;
  }

  @Test(expected = UnsupportedOperationException.class)
  public void crunchRefusesLeftOuterJoin() {
    strategyJoin(JoinType.LEFT_OUTER_JOIN);
  }
}

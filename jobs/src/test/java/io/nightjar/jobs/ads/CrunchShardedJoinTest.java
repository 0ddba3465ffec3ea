package io.nightjar.jobs.ads;

import com.google.common.collect.Lists;
import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import java.util.List;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.lib.join.ShardedJoinStrategy;
import org.junit.Test;

/**
 * Crunch's {@code ShardedJoinStrategy} on the same 4-shard plan as sharded, through
 * {@link ImpressionsJoin#join(org.apache.crunch.PTable, org.apache.crunch.PCollection, JoinStrategy, ShardPlan)}: the
 * tool does not offer it, the benchmarks compare it (bench {@code CrunchShardedJoin}).
 */
public class CrunchShardedJoinTest extends ImpressionsJoinTester {

  /** Only the label of the failure messages: the join is Crunch's. */
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
    return 3 * 4;
  }

  @Override
  protected JoinStrategy<String, AdMetadata, Impression> joinStrategy() {
    return new ShardedJoinStrategy<>(plan(), REDUCERS);
  }

  @Override
  protected List<EnrichedImpression> join() {
    return Lists.newArrayList(ImpressionsJoin.join(latestMetadata(), checked().first(), joinStrategy(), plan())
        .first().materialize());
  }

  @Test(expected = UnsupportedOperationException.class)
  public void crunchRefusesLeftOuterJoin() {
    strategyJoin(JoinType.LEFT_OUTER_JOIN);
  }
}

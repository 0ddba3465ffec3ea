package io.nightjar.jobs.ads;

import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;

/** {@code --strategy mapside}: Crunch's {@code MapsideJoinStrategy}, no metadata shuffled. */
public class MapsideJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.MAPSIDE;
  }

  @Override
  protected ShardPlan plan() {
    return null;
  }

  @Override
  protected long metadataRowsShuffled() {
    return 0;
  }
}

package io.nightjar.jobs.impressions;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class ImpressionsJoinToolTest {

  @Test
  public void adaptiveCoalescesReducersToTheEstimatedRows() {
    assertEquals("10 M rows at 1 M a reducer", 10, ImpressionsJoinTool.coalescedReducers(10_000_000, 1_000_000, 64));
    assertEquals("rounded up", 11, ImpressionsJoinTool.coalescedReducers(10_000_001, 1_000_000, 64));
    assertEquals("at most --reducers", 64, ImpressionsJoinTool.coalescedReducers(500_000_000, 1_000_000, 64));
    assertEquals("at least one", 1, ImpressionsJoinTool.coalescedReducers(0, 1_000_000, 64));
  }
}

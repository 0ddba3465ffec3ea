package io.nightjar.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import io.nightjar.avro.EnrichedImpression;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.Test;

public class DigestTest {

  private static EnrichedImpression row(String id, String campaign) {
    return EnrichedImpression.newBuilder().setImpressionId(id).setAdId("ad-1").setTimestamp(1462060800000L)
        .setUserId(null).setDeviceType("phone").setCountry("NL").setAdKnown(campaign != null).setAdvertiser(null)
        .setCampaign(campaign).setCreative(null).build();
  }

  private static BenchSupport.Digest digest(List<EnrichedImpression> rows) {
    BenchSupport.Digest digest = new BenchSupport.Digest();
    rows.forEach(digest::add);
    return digest;
  }

  @Test
  public void sameRowsInAnotherOrderGiveTheSameDigest() {
    List<EnrichedImpression> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(row("imp-" + i, i % 3 == 0 ? null : "c" + i));
    }
    BenchSupport.Digest first = digest(rows);
    Collections.shuffle(rows, new java.util.Random(7));
    assertEquals(first, digest(rows));
    assertEquals(100, first.count());
  }

  @Test
  public void aChangedMissingOrRepeatedRowChangesIt() {
    List<EnrichedImpression> rows = List.of(row("a", "c1"), row("b", null), row("c", "c3"));
    BenchSupport.Digest reference = digest(rows);
    assertNotEquals(reference, digest(List.of(row("a", "c1"), row("b", "c2"), row("c", "c3"))));
    assertNotEquals(reference, digest(List.of(row("a", "c1"), row("b", null))));
    assertNotEquals(reference, digest(List.of(row("a", "c1"), row("b", null), row("c", "c3"), row("c", "c3"))));
    // null and a string that spells it, and a field boundary moved, are different records
    assertNotEquals(digest(List.of(row("a", null))), digest(List.of(row("a", "null"))));
    assertNotEquals(digest(List.of(row("ab", "c"))), digest(List.of(row("a", "bc"))));
  }

  @Test
  public void twoEqualPairsDoNotCancelOut() {
    // xor alone would cancel a pair of equal rows; the sum and the count do not
    assertNotEquals(digest(List.of(row("a", "c1"))),
        digest(List.of(row("a", "c1"), row("b", "c2"), row("b", "c2"))));
  }
}

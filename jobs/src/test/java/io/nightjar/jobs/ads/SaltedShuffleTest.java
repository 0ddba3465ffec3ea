package io.nightjar.jobs.ads;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.Impression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.crunch.Pair;
import org.apache.crunch.impl.mem.emit.InMemoryEmitter;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.io.WritableUtils;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/** The salted join's shuffle: the raw key order equals the object order; the codecs give back what they were given. */
public class SaltedShuffleTest {

  @Test
  public void rawKeyOrderIsTheObjectOrder() throws Exception {
    Random random = new Random(7);
    String[] keys = {"", "a", "ab", "ad-00001", "ad-00010", "ad-1", "é", "z", "\u00ff", "日本", "ad-00001-long-tail-key"};
    List<SaltedKey> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      all.add(new SaltedKey(keys[random.nextInt(keys.length)], random.nextInt(3) == 0 ? random.nextInt(100_000)
          : random.nextInt(4), random.nextInt(2)));
    }
    WritableComparator raw = WritableComparator.get(SaltedKey.class);
    for (SaltedKey a : all.subList(0, 60)) {
      for (SaltedKey b : all) {
        byte[] x = bytes(a);
        byte[] y = bytes(b);
        assertEquals(a + " vs " + b, Integer.signum(a.compareTo(b)),
            Integer.signum(raw.compare(x, 0, x.length, y, 0, y.length)));
      }
    }
    SaltedKey left = new SaltedKey("ad-7", 3, 0);
    SaltedKey right = new SaltedKey("ad-7", 3, 1);
    assertEquals("a shard's left side sorts before its right side", -1, Integer.signum(left.compareTo(right)));
  }

  @Test
  public void impressionCodecRoundTripsEveryFieldAndNull() {
    ImpressionCodec codec = new ImpressionCodec();
    Impression full = new Impression("imp-1", "ad-é", 1462060800123L, "user-1", "phone", "DE");
    Impression sparse = new Impression("imp-2", null, -5L, null, null, null);
    Impression longUser = new Impression("imp-3", "ad-1", 7L, "u".repeat(70_000), "tablet", "FR"); // a 4-byte vint
    for (Impression impression : List.of(full, sparse, longUser)) {
      byte[] bytes = codec.encode(impression);
      byte[] padded = new byte[bytes.length + 3];
      System.arraycopy(bytes, 0, padded, 2, bytes.length);
      assertEquals(impression, codec.decode(padded, 2, bytes.length));
      RowBytes batch = new RowBytes(16);
      batch.writeVInt(300);
      int start = batch.length();
      codec.encode(impression, batch); // appended where the batch ends, the same bytes
      assertArrayEquals(bytes, Arrays.copyOfRange(batch.data(), start, batch.length()));
    }
  }

  @Test
  public void aCutImpressionRowIsAnErrorThatSaysSo() {
    ImpressionCodec codec = new ImpressionCodec();
    for (Impression impression : List.of(new Impression("imp-1", "ad-1", 1462060800123L, "user-1", "phone", "DE"),
        new Impression("imp-2", null, -5L, null, null, null),
        new Impression("imp-3", "ad-1", 7L, "u".repeat(70_000), "tablet", "FR"))) {
      byte[] bytes = codec.encode(impression);
      for (int cut = 0; cut < bytes.length; cut++) { // inside every field, the timestamp and the long vint included
        int at = cut;
        assertDamaged(() -> codec.decode(bytes, 0, at), "a damaged impression row: ");
      }
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      assertDamaged(() -> codec.decode(longer, 0, longer.length), "1 bytes left after the last field");
      assertDamaged(() -> codec.decode(bytes, 1, bytes.length), "bytes at 1 of an array of");
    }
  }

  @Test
  public void aDamagedLengthOrNullByteIsAnErrorThatSaysSo() {
    ImpressionCodec codec = new ImpressionCodec();
    byte[] row = codec.encode(new Impression("imp-1", "ad-1", 1L, "user-1", "phone", "DE"));
    byte[] negative = row.clone();
    negative[1] = (byte) -121; // vint marker: a negative number in one more byte (its complement)
    negative[2] = 4; // -5
    assertDamaged(() -> codec.decode(negative, 0, negative.length), "a string of -5 bytes");
    byte[] tooLong = row.clone();
    tooLong[1] = (byte) -120; // vint marker of an 8-byte long
    assertDamaged(() -> codec.decode(tooLong, 0, tooLong.length), "a string length of 9 bytes at 1");
    byte[] nulls = row.clone();
    nulls[0] = 0x10;
    assertDamaged(() -> codec.decode(nulls, 0, nulls.length), "null-field bits 10000");
  }

  private static void assertDamaged(ThrowingRunnable decode, String expected) {
    UncheckedIOException e = assertThrows(UncheckedIOException.class, decode);
    assertTrue(e.getMessage(), e.getMessage().contains(expected));
  }

  @Test
  public void impressionCodecKnowsEveryFieldOfTheSchema() {
    // ImpressionCodec writes these fields by hand: a field added to Impression.avsc must be added there too.
    assertEquals(List.of("impressionId", "adId", "timestamp", "userId", "deviceType", "country"),
        Impression.getClassSchema().getFields().stream().map(Schema.Field::name).collect(Collectors.toList()));
  }

  @Test
  public void avroCodecRoundTrips() {
    RowCodec<AdMetadata> codec = RowCodec.avro(AdMetadata.getClassSchema());
    AdMetadata row = AdMetadata.newBuilder().setAdId("ad-1").setAdvertiser("acme").setCampaign("spring")
        .setCreative("banner").setUpdatedAt(17L).build();
    byte[] bytes = codec.encode(row);
    assertEquals(row, codec.decode(bytes, 0, bytes.length));
  }

  private static byte[] bytes(SaltedKey key) throws Exception {
    DataOutputBuffer out = new DataOutputBuffer();
    key.write(out);
    byte[] bytes = new byte[out.getLength()];
    System.arraycopy(out.getData(), 0, bytes, 0, bytes.length);
    return bytes;
  }

  @Test
  public void aKeysBatchesTakeItsShardsInTurnAndARerunSendsEachRowWhereItWent() throws IOException {
    ShardPlan plan = ShardPlan.uniform(4);
    List<Pair<String, Impression>> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(Pair.of(i % 10 == 0 ? "cold-" + i : "hot", new Impression("imp-" + i, "x", 1L + i, null, null, null)));
    }
    for (long buffered : new long[] {1 << 20, 1000}) { // never flushed; flushed every few dozen rows
      List<Pair<SaltedKey, ByteBuffer>> first = batch(plan, rows, buffered);
      assertEquals("a rerun of the same rows sends the same batches to the same shards", first,
          batch(plan, rows, buffered));
      assertSpread(first, buffered);
    }
    Set<Integer> firstShards = new HashSet<>();
    for (int task = 0; task < 20; task++) {
      firstShards.add(SaltedJoinStrategy.BatchRightFn.firstShard("hot", task, 0, 4));
    }
    assertEquals("other tasks start the key on other shards", 4, firstShards.size());
  }

  private static void assertSpread(List<Pair<SaltedKey, ByteBuffer>> first, long buffered) throws IOException {
    int[] hotBatches = new int[4];
    int[] hotRows = new int[4];
    int largestHotBatch = 0;
    Map<String, Integer> rowsByKey = new HashMap<>();
    for (Pair<SaltedKey, ByteBuffer> batch : first) {
      SaltedKey key = batch.first();
      assertEquals(1, key.tag());
      if (key.key().equals("hot")) {
        hotBatches[key.shard()]++;
      }
      ByteBuffer bytes = batch.second();
      int position = bytes.arrayOffset() + bytes.position();
      int end = position + bytes.remaining();
      int batchRows = 0;
      while (position < end) {
        batchRows++;
        int length = WritableComparator.readVInt(bytes.array(), position);
        position += WritableUtils.decodeVIntSize(bytes.array()[position]) + length;
        rowsByKey.merge(key.key(), 1, Integer::sum);
        hotRows[key.shard()] += key.key().equals("hot") ? 1 : 0;
      }
      largestHotBatch = key.key().equals("hot") ? Math.max(largestHotBatch, batchRows) : largestHotBatch;
    }
    assertEquals("every row once", 900, (int) rowsByKey.get("hot"));
    assertEquals(101, rowsByKey.size());
    int most = Arrays.stream(hotBatches).max().getAsInt();
    int least = Arrays.stream(hotBatches).min().getAsInt();
    assertTrue("buffered " + buffered + ": the hot key's batches spread over its 4 shards to within one: "
        + Arrays.toString(hotBatches), least > 0 && most - least <= 1);
    int rowsMost = Arrays.stream(hotRows).max().getAsInt();
    int rowsLeast = Arrays.stream(hotRows).min().getAsInt();
    assertTrue("buffered " + buffered + ": and its rows to within its largest batch (" + largestHotBatch + " rows): "
        + Arrays.toString(hotRows), largestHotBatch <= 12 && rowsMost - rowsLeast <= largestHotBatch);
  }

  private static List<Pair<SaltedKey, ByteBuffer>> batch(ShardPlan plan, List<Pair<String, Impression>> rows,
      long buffered) {
    SaltedJoinStrategy.BatchRightFn<Impression> fn =
        new SaltedJoinStrategy.BatchRightFn<>(plan, new ImpressionCodec(), 200, buffered);
    InMemoryEmitter<Pair<SaltedKey, ByteBuffer>> emitter = new InMemoryEmitter<>();
    fn.initialize();
    rows.forEach(row -> fn.process(row, emitter));
    fn.cleanup(emitter);
    return emitter.getOutput();
  }
}

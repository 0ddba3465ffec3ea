package io.nightjar.jobs.ads;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.apache.hadoop.io.DataInputBuffer;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.io.WritableUtils;
import org.junit.Test;

/** {@link RowBytes} writes the bytes Hadoop's {@code DataOutput} writers write, and grows as it is written. */
public class RowBytesTest {

  @Test
  public void writesWhatHadoopsWritersWrite() throws Exception {
    Random random = new Random(7);
    RowBytes ours = new RowBytes(1); // grows from 16 bytes
    DataOutputBuffer hadoops = new DataOutputBuffer();
    int[] edges = {0, 1, -1, 127, 128, -112, -113, 255, 256, 65_535, 65_536, 1 << 24, Integer.MAX_VALUE,
        Integer.MIN_VALUE, -129, -65_536};
    for (int value : edges) {
      ours.writeVInt(value);
      WritableUtils.writeVInt(hadoops, value);
    }
    for (int i = 0; i < 10_000; i++) {
      int value = random.nextInt() >> random.nextInt(32);
      long wide = random.nextLong();
      String text = i % 3 == 0 ? "ad-" + value : "é€" + i;
      ours.writeVInt(value);
      ours.writeLong(wide);
      ours.writeByte(value);
      ours.writeString(text);
      WritableUtils.writeVInt(hadoops, value);
      hadoops.writeLong(wide);
      hadoops.writeByte(value);
      byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      WritableUtils.writeVInt(hadoops, utf8.length);
      hadoops.write(utf8);
    }
    assertEquals(hadoops.getLength(), ours.length());
    assertArrayEquals(Arrays.copyOf(hadoops.getData(), hadoops.getLength()), ours.toByteArray());

    DataInputBuffer in = new DataInputBuffer();
    in.reset(ours.data(), ours.length());
    for (int value : edges) {
      assertEquals(value, WritableUtils.readVInt(in));
    }
    ours.reset();
    assertEquals(0, ours.length());
  }

  @Test
  public void detachHandsTheBytesOverAndStartsAfresh() {
    RowBytes batch = new RowBytes(16);
    batch.writeString("ad-1");
    java.nio.ByteBuffer detached = batch.detach(32);
    assertEquals(0, batch.length());
    batch.writeString("ad-2"); // into a new array: the detached bytes stay as they were
    RowBytes once = new RowBytes(16);
    once.writeString("ad-1");
    assertEquals(java.nio.ByteBuffer.wrap(once.toByteArray()), detached);
    assertEquals(0, detached.arrayOffset() + detached.position());
  }
}

package io.nightjar.jobs.ads;

import io.nightjar.avro.Impression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.io.WritableUtils;

/**
 * An {@link Impression} in the join's shuffle: a byte with a bit set per null field, then its fields in order, strings
 * as a vint length and UTF-8 (the JDK's coder: Hadoop's {@code Text} coders, thread-local, showed in the profile),
 * written into a {@link RowBytes} without locks.
 * It carries the impressions, the side with all the rows, through the shuffle without Avro's
 * {@code SpecificDatumWriter}, which resolves every nullable field's union by the value's class (a JFR profile of the
 * sharded join: 38% of samples in serializing the shuffle, 12% in union resolution alone).
 * A field added to {@code Impression.avsc} must be added here; {@code SaltedShuffleTest} fails until it is.
 */
public final class ImpressionCodec implements RowCodec<Impression> {

  private static final long serialVersionUID = 1L;

  private transient RowBytes out;
  /** The next byte to read and the end of the row being decoded. */
  private transient int at;
  private transient int end;

  @Override
  public byte[] encode(Impression impression) {
    if (out == null) {
      out = new RowBytes(128);
    }
    out.reset();
    encode(impression, out);
    return out.toByteArray();
  }

  @Override
  public void encode(Impression impression, RowBytes into) {
    int nulls = (impression.getAdId() == null ? 1 : 0) | (impression.getUserId() == null ? 2 : 0)
        | (impression.getDeviceType() == null ? 4 : 0) | (impression.getCountry() == null ? 8 : 0);
    into.writeByte(nulls);
    into.writeString(impression.getImpressionId());
    writeOptional(impression.getAdId(), into);
    into.writeLong(impression.getTimestamp());
    writeOptional(impression.getUserId(), into);
    writeOptional(impression.getDeviceType(), into);
    writeOptional(impression.getCountry(), into);
  }

  /**
   * Reads the row straight from {@code bytes}: through Hadoop's {@code DataInputBuffer} each byte was a synchronized
   * {@code ByteArrayInputStream.read} (JFR: 12% of the join's reduce samples).
   */
  @Override
  public Impression decode(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || length > bytes.length - offset) {
      throw damaged(length + " bytes at " + offset + " of an array of " + bytes.length);
    }
    at = offset;
    end = offset + length;
    take(1);
    int nulls = bytes[at++];
    if ((nulls & ~0xF) != 0) {
      throw damaged("null-field bits " + Integer.toBinaryString(nulls & 0xFF) + " (four fields can be null)");
    }
    Impression impression = new Impression();
    impression.setImpressionId(readString(bytes));
    impression.setAdId((nulls & 1) != 0 ? null : readString(bytes));
    take(8);
    impression.setTimestamp(WritableComparator.readLong(bytes, at));
    at += 8;
    impression.setUserId((nulls & 2) != 0 ? null : readString(bytes));
    impression.setDeviceType((nulls & 4) != 0 ? null : readString(bytes));
    impression.setCountry((nulls & 8) != 0 ? null : readString(bytes));
    if (at != end) {
      throw damaged((end - at) + " bytes left after the last field");
    }
    return impression;
  }

  private static void writeOptional(String value, RowBytes into) {
    if (value != null) {
      into.writeString(value);
    }
  }

  private String readString(byte[] bytes) {
    take(1);
    int size = WritableUtils.decodeVIntSize(bytes[at]);
    if (size > 5) {
      throw damaged("a string length of " + size + " bytes at " + at + " (an int takes at most 5)");
    }
    take(size);
    int length;
    try {
      length = WritableComparator.readVInt(bytes, at);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    at += size;
    if (length < 0) {
      throw damaged("a string of " + length + " bytes");
    }
    take(length);
    String value = new String(bytes, at, length, StandardCharsets.UTF_8);
    at += length;
    return value;
  }

  /** Checks that {@code count} more bytes are in the row, else fails naming the damage. */
  private void take(int count) {
    if (end - at < count) {
      throw damaged(count + " more bytes needed at " + at + ", the row ends at " + end);
    }
  }

  private static UncheckedIOException damaged(String what) {
    return new UncheckedIOException(new IOException("a damaged impression row: " + what));
  }
}

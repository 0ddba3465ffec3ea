package io.nightjar.jobs.ads;

import io.nightjar.avro.Impression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.io.DataInputBuffer;
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
  private transient DataInputBuffer in;

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

  @Override
  public Impression decode(byte[] bytes, int offset, int length) {
    if (in == null) {
      in = new DataInputBuffer();
    }
    in.reset(bytes, offset, length);
    try {
      int nulls = in.readByte();
      Impression impression = new Impression();
      impression.setImpressionId(readString());
      impression.setAdId((nulls & 1) != 0 ? null : readString());
      impression.setTimestamp(in.readLong());
      impression.setUserId((nulls & 2) != 0 ? null : readString());
      impression.setDeviceType((nulls & 4) != 0 ? null : readString());
      impression.setCountry((nulls & 8) != 0 ? null : readString());
      return impression;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeOptional(String value, RowBytes into) {
    if (value != null) {
      into.writeString(value);
    }
  }

  private String readString() throws IOException {
    int length = WritableUtils.readVInt(in);
    String value = new String(in.getData(), in.getPosition(), length, StandardCharsets.UTF_8);
    in.skipBytes(length);
    return value;
  }
}

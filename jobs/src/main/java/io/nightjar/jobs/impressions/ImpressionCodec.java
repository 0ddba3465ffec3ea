package io.nightjar.jobs.impressions;

import io.nightjar.avro.Impression;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.io.DataInputBuffer;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.io.Text;

/**
 * An {@link Impression} in the join's shuffle: its six fields in order, strings as Hadoop {@link Text} (vint length
 * and UTF-8), a leading bit set per null field. It carries the impressions, the side with all the rows, through the
 * shuffle for about a third of the CPU of Avro's {@code SpecificDatumWriter}, which resolves every nullable field's
 * union by the value's class (a JFR profile of the sharded join: 38% of samples in serializing the shuffle).
 * A field added to {@code Impression.avsc} must be added here; {@code ImpressionCodecTest} fails until it is.
 */
public final class ImpressionCodec implements RowCodec<Impression> {

  private static final long serialVersionUID = 1L;

  private transient DataOutputBuffer out;
  private transient DataInputBuffer in;

  @Override
  public byte[] encode(Impression impression) {
    if (out == null) {
      out = new DataOutputBuffer(128);
    }
    out.reset();
    try {
      int nulls = (impression.getAdId() == null ? 1 : 0) | (impression.getUserId() == null ? 2 : 0)
          | (impression.getDeviceType() == null ? 4 : 0) | (impression.getCountry() == null ? 8 : 0);
      out.writeByte(nulls);
      Text.writeString(out, impression.getImpressionId());
      writeOptional(impression.getAdId());
      out.writeLong(impression.getTimestamp());
      writeOptional(impression.getUserId());
      writeOptional(impression.getDeviceType());
      writeOptional(impression.getCountry());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = new byte[out.getLength()];
    System.arraycopy(out.getData(), 0, bytes, 0, bytes.length);
    return bytes;
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
      impression.setImpressionId(Text.readString(in));
      impression.setAdId((nulls & 1) != 0 ? null : Text.readString(in));
      impression.setTimestamp(in.readLong());
      impression.setUserId((nulls & 2) != 0 ? null : Text.readString(in));
      impression.setDeviceType((nulls & 4) != 0 ? null : Text.readString(in));
      impression.setCountry((nulls & 8) != 0 ? null : Text.readString(in));
      return impression;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeOptional(CharSequence value) throws IOException {
    if (value != null) {
      Text.writeString(out, value.toString());
    }
  }
}

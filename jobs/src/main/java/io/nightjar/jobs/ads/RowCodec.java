package io.nightjar.jobs.ads;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * How a {@link SaltedJoinStrategy} writes one side's values into the shuffle as bytes and reads them back. The
 * default, {@link #avro}, is Avro's binary form; a hand-written codec pays off for the side with most rows
 * (see {@link ImpressionCodec}). A codec is serialized into the job with the strategy; keep per-task state transient.
 */
public interface RowCodec<T> extends Serializable {

  byte[] encode(T value);

  /** Appends {@code value}'s encoding to {@code into} (the bytes {@link #encode(Object)} returns). */
  default void encode(T value, RowBytes into) {
    byte[] bytes = encode(value);
    into.write(bytes, 0, bytes.length);
  }

  T decode(byte[] bytes, int offset, int length);

  /** Avro binary with the value's schema (a specific class when one is on the classpath, else generic records). */
  static <T> RowCodec<T> avro(Schema schema) {
    return new AvroRowCodec<>(schema);
  }

  /** {@link RowCodec#avro}. */
  final class AvroRowCodec<T> implements RowCodec<T> {
    private static final long serialVersionUID = 1L;

    private final String schemaJson;
    private transient SpecificDatumWriter<T> writer;
    private transient SpecificDatumReader<T> reader;
    private transient ByteArrayOutputStream buffer;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;

    AvroRowCodec(Schema schema) {
      this.schemaJson = schema.toString();
    }

    @Override
    public byte[] encode(T value) {
      if (writer == null) {
        writer = new SpecificDatumWriter<>(new Schema.Parser().parse(schemaJson));
        buffer = new ByteArrayOutputStream();
      }
      buffer.reset();
      encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
      try {
        writer.write(value, encoder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buffer.toByteArray();
    }

    @Override
    public T decode(byte[] bytes, int offset, int length) {
      if (reader == null) {
        reader = new SpecificDatumReader<>(new Schema.Parser().parse(schemaJson));
      }
      decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, decoder);
      try {
        return reader.read(null, decoder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}

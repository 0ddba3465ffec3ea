package io.nightjar.common.avro;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

public class NullableUnionWritersTest {

  private static final Schema SCHEMA = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
      + "{\"name\": \"a\", \"type\": [\"null\", \"string\"]},"
      + "{\"name\": \"b\", \"type\": [\"long\", \"null\"]},"
      + "{\"name\": \"c\", \"type\": [\"null\", \"string\", \"long\"]},"
      + "{\"name\": \"d\", \"type\": [\"null\", {\"type\": \"array\", \"items\": [\"null\", \"int\"]}]}]}");

  @Test
  public void writesTheSameBytesAsAvro() throws Exception {
    for (Object[] values : List.of(new Object[] {"x", 5L, "y", List.of(1, 2)},
        new Object[] {null, null, 7L, null}, new Object[] {"é", 0L, null, Arrays.asList(null, 3)})) {
      GenericRecord record = new GenericData.Record(SCHEMA);
      for (int i = 0; i < values.length; i++) {
        record.put(i, values[i]);
      }
      assertArrayEquals(bytes(new GenericDatumWriter<>(SCHEMA), record),
          bytes(new NullableUnionWriters.Generic().getWriter(SCHEMA), record));
      assertArrayEquals(bytes(new GenericDatumWriter<>(SCHEMA), record),
          bytes(new NullableUnionWriters.Specific().getWriter(SCHEMA), record));
    }
  }

  @Test
  public void crunchUsesThemUnlessConfiguredOtherwise() {
    Configuration conf = new Configuration(false);
    NullableUnionWriters.configure(conf);
    assertEquals(NullableUnionWriters.SpecificWriter.class,
        AvroMode.SPECIFIC.withFactoryFromConfiguration(conf).getWriter(SCHEMA).getClass());
    assertEquals(NullableUnionWriters.GenericWriter.class,
        AvroMode.GENERIC.withFactoryFromConfiguration(conf).getWriter(SCHEMA).getClass());
    Configuration own = new Configuration(false);
    own.set("crunch.genericfactory", "com.example.Theirs");
    NullableUnionWriters.configure(own);
    assertEquals("com.example.Theirs", own.get("crunch.genericfactory"));
  }

  private static byte[] bytes(DatumWriter<Object> writer, Object datum) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}

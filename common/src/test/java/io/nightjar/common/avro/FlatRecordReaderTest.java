package io.nightjar.common.avro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import io.nightjar.avro.Impression;
import io.nightjar.avro.SensorReading;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;
import org.junit.Test;

/**
 * {@link FlatRecordReader} gives what Avro's readers give, value for value and class for class, reusing records and
 * strings as they do; anything it does not plan for is left to Avro's reader.
 */
public class FlatRecordReaderTest {

  /** Every kind the reader plans for, plain and nullable with the null branch first and last. */
  private static final Schema EVERY_KIND = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Flat\","
      + "\"fields\": [{\"name\": \"i\", \"type\": \"int\"}, {\"name\": \"l\", \"type\": \"long\"},"
      + "{\"name\": \"f\", \"type\": \"float\"}, {\"name\": \"d\", \"type\": \"double\"},"
      + "{\"name\": \"b\", \"type\": \"boolean\"}, {\"name\": \"u\", \"type\": \"string\"},"
      + "{\"name\": \"s\", \"type\": {\"type\": \"string\", \"avro.java.string\": \"String\"}},"
      + "{\"name\": \"ni\", \"type\": [\"null\", \"int\"]}, {\"name\": \"nl\", \"type\": [\"long\", \"null\"]},"
      + "{\"name\": \"nd\", \"type\": [\"null\", \"double\"]}, {\"name\": \"nb\", \"type\": [\"boolean\", \"null\"]},"
      + "{\"name\": \"nu\", \"type\": [\"null\", \"string\"]},"
      + "{\"name\": \"ns\", \"type\": [{\"type\": \"string\", \"avro.java.string\": \"String\"}, \"null\"]},"
      + "{\"name\": \"nf\", \"type\": [\"null\", \"float\"]},"
      + "{\"name\": \"u8\", \"type\": {\"type\": \"string\", \"avro.java.string\": \"Utf8\"}}]}");

  @Test
  public void readsWhatAvrosGenericReaderReads() throws IOException {
    assertSameAsAvro(EVERY_KIND, GenericData.get(), new GenericDatumReader<>(EVERY_KIND), randomRecords(EVERY_KIND,
        GenericData.get(), 500));
  }

  @Test
  public void readsWhatAvrosSpecificReaderReadsForReadingsAndImpressions() throws IOException {
    for (Schema schema : List.of(SensorReading.getClassSchema(), Impression.getClassSchema())) {
      assertSameAsAvro(schema, SpecificData.get(), new SpecificDatumReader<>(schema),
          randomRecords(schema, SpecificData.get(), 500));
    }
  }

  @Test
  public void leavesToAvroWhatItDoesNotPlanFor() {
    GenericData data = GenericData.get();
    assertNotNull(FlatRecordReader.of(EVERY_KIND, EVERY_KIND, data));
    assertNotNull("an equal schema, another object (as each file's header gives)",
        FlatRecordReader.of(new Schema.Parser().parse(EVERY_KIND.toString()), EVERY_KIND, data));
    Schema other = new Schema.Parser().parse(EVERY_KIND.toString().replace("\"name\":\"Flat\"", "\"name\":\"Flat2\""));
    assertNull("another writer schema", FlatRecordReader.of(other, EVERY_KIND, data));
    for (String type : List.of("{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}",
        "{\"type\": \"array\", \"items\": \"int\"}", "[\"null\", \"int\", \"string\"]", "[\"int\", \"string\"]",
        "{\"type\": \"string\", \"java-class\": \"java.math.BigDecimal\"}", "\"bytes\"",
        "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\"]}")) {
      Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
          + "{\"name\": \"a\", \"type\": \"long\"}, {\"name\": \"x\", \"type\": " + type + "}]}");
      assertNull(type, FlatRecordReader.of(schema, schema, data));
    }
    Schema noClass = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"NoSuchClass\", \"namespace\": "
        + "\"io.nightjar.test\", \"fields\": [{\"name\": \"a\", \"type\": \"long\"}]}");
    assertNull("no generated class", FlatRecordReader.of(noClass, noClass, SpecificData.get()));
  }

  /** Decodes the records' bytes with both readers, each reusing its last record, and compares every field. */
  private static void assertSameAsAvro(Schema schema, GenericData data, DatumReader<Object> avro,
      List<Object> records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    GenericDatumWriter<Object> writer = new GenericDatumWriter<>(schema, data);
    for (Object record : records) {
      writer.write(record, encoder);
    }
    encoder.flush();
    byte[] bytes = out.toByteArray();
    FlatRecordReader flat = FlatRecordReader.of(schema, schema, data);
    assertNotNull(schema.getFullName() + " is flat", flat);
    BinaryDecoder avroIn = DecoderFactory.get().binaryDecoder(bytes, null);
    BinaryDecoder flatIn = DecoderFactory.get().binaryDecoder(bytes, null);
    Object expected = null;
    Object actual = null;
    for (int n = 0; n < records.size(); n++) {
      Object lastExpected = expected;
      Object lastActual = actual;
      expected = avro.read(expected, avroIn);
      actual = flat.read(actual, flatIn);
      assertEquals(expected.getClass(), actual.getClass());
      if (n > 0) {
        assertEquals("record reused as Avro reuses it", lastExpected == expected, lastActual == actual);
      }
      for (int i = 0; i < schema.getFields().size(); i++) {
        Object e = ((IndexedRecord) expected).get(i);
        Object a = ((IndexedRecord) actual).get(i);
        String where = "record " + n + " field " + schema.getFields().get(i).name();
        assertEquals(where, e == null ? null : e.getClass(), a == null ? null : a.getClass());
        assertEquals(where, e == null ? null : e.toString(), a == null ? null : a.toString());
      }
    }
    assertEquals(avroIn.isEnd(), flatIn.isEnd());
  }

  /** Random records of a flat schema: a third of the nullable fields null, strings of all lengths and scripts. */
  private static List<Object> randomRecords(Schema schema, GenericData data, int count) {
    Random random = new Random(42);
    List<Object> records = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      IndexedRecord record = (IndexedRecord) data.newRecord(null, schema);
      for (Schema.Field field : schema.getFields()) {
        Schema type = field.schema();
        if (type.getType() == Schema.Type.UNION) {
          if (random.nextInt(3) == 0) {
            record.put(field.pos(), null);
            continue;
          }
          type = type.getTypes().get(type.getTypes().get(0).getType() == Schema.Type.NULL ? 1 : 0);
        }
        record.put(field.pos(), switch (type.getType()) {
          case INT -> random.nextInt();
          case LONG -> random.nextLong() >> random.nextInt(64);
          case FLOAT -> random.nextFloat() * 1e6f - 5e5f;
          case DOUBLE -> random.nextGaussian() * 1e9;
          case BOOLEAN -> random.nextBoolean();
          case STRING -> {
            StringBuilder text = new StringBuilder();
            for (int c = random.nextInt(40); c > 0; c--) {
              text.appendCodePoint(random.nextInt(4) == 0 ? 0x4e00 + random.nextInt(500) : 'a' + random.nextInt(26));
            }
            yield "String".equals(type.getProp(GenericData.STRING_PROP)) ? text.toString() : new Utf8(text.toString());
          }
          default -> throw new IllegalArgumentException(type.toString());
        });
      }
      records.add(record);
    }
    return records;
  }

  @Test
  public void aFlatRecordsReusedUtf8IsAvrosToo() throws IOException {
    // Avro's reader refills the old Utf8 of a field; so does the flat reader (the same object, new contents).
    GenericData.Record record = new GenericData.Record(EVERY_KIND);
    List<Object> records = randomRecords(EVERY_KIND, GenericData.get(), 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    for (Object r : records) {
      new GenericDatumWriter<>(EVERY_KIND).write(r, encoder);
    }
    encoder.flush();
    BinaryDecoder in = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
    FlatRecordReader flat = FlatRecordReader.of(EVERY_KIND, EVERY_KIND, GenericData.get());
    Object first = flat.read(record, in);
    assertSame(record, first);
    Object utf8 = record.get("u");
    flat.read(record, in);
    assertSame(utf8, record.get("u"));
    assertEquals(((IndexedRecord) records.get(1)).get(5).toString(), record.get("u").toString());
  }
}

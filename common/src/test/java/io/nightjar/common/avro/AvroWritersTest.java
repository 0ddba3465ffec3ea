package io.nightjar.common.avro;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.Section;
import io.nightjar.avro.SensorReading;
import io.nightjar.avro.Segment;
import io.nightjar.avro.TimeInterval;
import io.nightjar.avro.TrackAnalysis;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.Utf8;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

public class AvroWritersTest {

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
          bytes(new AvroWriters.Generic().getWriter(SCHEMA), record));
      assertArrayEquals(bytes(new GenericDatumWriter<>(SCHEMA), record),
          bytes(new AvroWriters.Specific().getWriter(SCHEMA), record));
    }
  }

  @Test
  public void crunchUsesThemUnlessConfiguredOtherwise() {
    Configuration conf = new Configuration(false);
    AvroWriters.configure(conf);
    assertEquals(AvroWriters.SpecificWriter.class,
        AvroMode.SPECIFIC.withFactoryFromConfiguration(conf).getWriter(SCHEMA).getClass());
    assertEquals(AvroWriters.GenericWriter.class,
        AvroMode.GENERIC.withFactoryFromConfiguration(conf).getWriter(SCHEMA).getClass());
    Configuration own = new Configuration(false);
    own.set("crunch.genericfactory", "com.example.Theirs");
    AvroWriters.configure(own);
    assertEquals("com.example.Theirs", own.get("crunch.genericfactory"));
  }

  /** Flat records (an analysis' segments and intervals) written from their plan; the rest as Avro does: same bytes. */
  @Test
  public void writesAnAnalysisAsAvroDoes() throws Exception {
    Schema schema = TrackAnalysis.getClassSchema();
    for (int seed = 0; seed < 20; seed++) {
      Object analysis = random(schema, new Random(seed), SpecificData.get());
      assertArrayEquals("seed " + seed, bytes(new SpecificDatumWriter<>(schema), analysis),
          bytes(new AvroWriters.Specific().getWriter(schema), analysis));
      Object generic = random(schema, new Random(seed), GenericData.get());
      assertArrayEquals("seed " + seed, bytes(new GenericDatumWriter<>(schema), generic),
          bytes(new AvroWriters.Generic().getWriter(schema), generic));
    }
    // the records the plan is for take it (the test above would pass without it); the others do not
    assertEquals(9, AvroWriters.FlatRecords.plan(Segment.getClassSchema()).length);
    assertEquals(3, AvroWriters.FlatRecords.plan(TimeInterval.getClassSchema()).length);
    assertEquals(Section.getClassSchema().getFields().size(), // nullable floats
        AvroWriters.FlatRecords.plan(Section.getClassSchema()).length);
    assertEquals(0, AvroWriters.FlatRecords.plan(TrackAnalysis.getClassSchema()).length);
  }

  /** Records of strings and nullable fields (joined impressions, readings, metadata) take the plan: same bytes. */
  @Test
  public void writesStringAndNullableFieldsAsAvroDoes() throws Exception {
    Schema nullLast = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"NullLast\", \"fields\": ["
        + "{\"name\": \"x\", \"type\": [\"long\", \"null\"]}, {\"name\": \"y\", \"type\": [\"string\", \"null\"]},"
        + "{\"name\": \"z\", \"type\": [\"null\", \"double\"]}, {\"name\": \"w\", \"type\": \"boolean\"}]}");
    for (Schema schema : List.of(EnrichedImpression.getClassSchema(), Impression.getClassSchema(),
        AdMetadata.getClassSchema(), SensorReading.getClassSchema(), nullLast)) {
      assertEquals(schema.getFullName(), schema.getFields().size(), AvroWriters.FlatRecords.plan(schema).length);
      for (int seed = 0; seed < 50; seed++) {
        Object specific = random(schema, new Random(seed), SpecificData.get());
        assertArrayEquals(schema.getName() + " seed " + seed, bytes(new SpecificDatumWriter<>(schema), specific),
            bytes(new AvroWriters.Specific().getWriter(schema), specific));
        GenericRecord generic = (GenericRecord) random(schema, new Random(seed), GenericData.get());
        assertArrayEquals(schema.getName() + " seed " + seed, bytes(new GenericDatumWriter<>(schema), generic),
            bytes(new AvroWriters.Generic().getWriter(schema), generic));
        for (Schema.Field field : schema.getFields()) { // the same record with Utf8 strings
          if (generic.get(field.pos()) instanceof String) {
            generic.put(field.pos(), new Utf8((String) generic.get(field.pos()) + "\u00e9"));
          }
        }
        assertArrayEquals(schema.getName() + " seed " + seed, bytes(new GenericDatumWriter<>(schema), generic),
            bytes(new AvroWriters.Generic().getWriter(schema), generic));
      }
    }
  }

  @Test
  public void aStringableValueInAStringFieldIsWrittenAsAvroWritesIt() throws Exception {
    Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"S\", \"fields\": ["
        + "{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": [\"null\", \"string\"]}]}");
    GenericData.Record record = new GenericData.Record(schema);
    record.put("a", new BigDecimal("1.50"));
    record.put("b", new BigDecimal("-2"));
    byte[] avro = bytes(new SpecificDatumWriter<>(schema), record);
    assertArrayEquals(avro, bytes(new AvroWriters.Specific().getWriter(schema), record));
    assertEquals("the decimals written as strings", 1 + 4 + 1 + 1 + 2, avro.length);
  }

  @Test
  public void aNullInAFlatRecordIsRefusedNamingTheField() throws Exception {
    // a generated Segment cannot hold one (its fields are primitives); a generic record of its schema can
    GenericData.Record segment = (GenericData.Record) random(Segment.getClassSchema(), new Random(1), GenericData.get());
    segment.put("loudness_max", null);
    try {
      bytes(new AvroWriters.Generic().getWriter(Segment.getClassSchema()), segment);
      fail("a null float written");
    } catch (NullPointerException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("loudness_max of io.nightjar.avro.Segment"));
    }
  }

  /** A record of {@code schema} with random values: nullable fields null one time in four, arrays of 0 to 30. */
  private static Object random(Schema schema, Random random, GenericData data) {
    switch (schema.getType()) {
      case RECORD:
        IndexedRecord record = (IndexedRecord) data.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
          record.put(field.pos(), random(field.schema(), random, data));
        }
        return record;
      case UNION:
        Schema branch = schema.getTypes().get(schema.getTypes().get(0).getType() == Schema.Type.NULL ? 1 : 0);
        return random.nextInt(4) == 0 ? null : random(branch, random, data);
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(31); i > 0; i--) {
          list.add(random(schema.getElementType(), random, data));
        }
        return list;
      case MAP:
        Map<String, String> map = new LinkedHashMap<>();
        map.put("status_code", Integer.toString(random.nextInt(3)));
        return map;
      case STRING: return "track-" + random.nextInt(1000);
      case INT: return random.nextInt();
      case LONG: return random.nextLong();
      case FLOAT: return random.nextFloat() * 100 - 50;
      case DOUBLE: return random.nextDouble() * 1000;
      case BOOLEAN: return random.nextBoolean();
      default: throw new IllegalArgumentException(schema.toString());
    }
  }

  private static byte[] bytes(DatumWriter<Object> writer, Object datum) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}

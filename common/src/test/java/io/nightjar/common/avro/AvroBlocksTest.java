package io.nightjar.common.avro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.impl.mr.run.CrunchInputFormat;
import org.apache.crunch.io.From;
import org.apache.crunch.test.TemporaryPath;
import org.apache.crunch.types.avro.Avros;
import org.apache.crunch.types.writable.Writables;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.junit.Rule;
import org.junit.Test;

/**
 * Reading Avro a block at a time gives each record exactly once, as Crunch's per-record source does, however the files
 * are split, and resolves each file's writer schema to the type read.
 */
public class AvroBlocksTest {

  private static final Schema OLD = SchemaBuilder.record("Reading").namespace("test").fields()
      .requiredString("id").requiredLong("n").endRecord();
  /** The type read: a field added since {@link #OLD}, with a default. */
  private static final Schema CURRENT = SchemaBuilder.record("Reading").namespace("test").fields()
      .requiredString("id").requiredLong("n").name("unit").type().stringType().stringDefault("none").endRecord();

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  @Test
  public void everyRecordOnceInSmallSplitsAcrossWriterSchemas() throws Exception {
    File folder = tmp.getFile("readings");
    folder.mkdirs();
    write(new File(folder, "old.avro"), OLD, 0, 30_000);
    write(new File(folder, "current.avro"), CURRENT, 30_000, 20_000);

    Configuration conf = tmp.getDefaultConfiguration();
    conf.setLong("mapreduce.input.fileinputformat.split.maxsize", 8 << 10); // most split ends fall inside a block
    Pipeline pipeline = new MRPipeline(AvroBlocksTest.class, conf);
    List<Path> paths = List.of(new Path(folder.toURI()));
    write(pipeline, AvroBlocks.read(pipeline, paths, Avros.generics(CURRENT)), "blocks");
    write(pipeline, pipeline.read(From.avroFile(paths, Avros.generics(CURRENT))), "records");
    PipelineResult result = pipeline.done();

    assertEquals(50_000, result.getStageResults().stream()
        .mapToLong(stage -> stage.getCounterValue(AvroBlocks.COUNTER_GROUP, AvroBlocks.RECORDS_COUNTER)).sum());
    List<String> blocks = lines("blocks");
    assertEquals(50_000, blocks.size());
    assertEquals(lines("records"), blocks);
    assertTrue(blocks.contains("old-0:0:none"));
    assertTrue(blocks.contains("cur-30000:30000:kWh"));
  }

  @Test
  public void smallFilesShareASplitAsWithCrunchsAvroSource() throws Exception {
    File folder = tmp.getFile("small");
    folder.mkdirs();
    for (int file = 0; file < 6; file++) {
      write(new File(folder, "part-" + file + ".avro"), CURRENT, file * 100, 100);
    }
    Job job = Job.getInstance(tmp.getDefaultConfiguration());
    AvroBlocks.source(List.of(new Path(folder.toURI()))).configureSource(job, -1);
    assertEquals(1, new CrunchInputFormat<Object, Object>().getSplits(job).size());
  }

  @Test
  public void aTypeWithItsOwnConversionIsConverted() throws Exception {
    File file = tmp.getFile("names.avro");
    Schema string = Schema.create(Schema.Type.STRING);
    try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(string))) {
      writer.create(string, file);
      for (String name : List.of("b", "a", "c")) {
        writer.append(name);
      }
    }
    Pipeline pipeline = new MRPipeline(AvroBlocksTest.class, tmp.getDefaultConfiguration());
    // Avros.strings() reads Avro's Utf8 and converts it to String with its input function.
    PCollection<String> names = AvroBlocks.read(pipeline, List.of(new Path(file.toURI())), Avros.strings());
    pipeline.writeTextFile(names.parallelDo(new Upper(), Writables.strings()), tmp.getFileName("names"));
    pipeline.done();
    assertEquals(List.of("A", "B", "C"), lines("names"));
  }

  @Test
  public void readableFilesGiveEveryRecordAsANewObjectAcrossWriterSchemas() throws Exception {
    File folder = tmp.getFile("side");
    folder.mkdirs();
    write(new File(folder, "old.avro"), OLD, 0, 3_000);
    write(new File(folder, "current.avro"), CURRENT, 3_000, 2_000);
    new File(folder, "_SUCCESS").createNewFile();
    Configuration conf = tmp.getDefaultConfiguration();
    AvroReadableFiles<GenericData.Record> readable =
        AvroReadableFiles.of(conf, List.of(new Path(folder.toURI())), Avros.generics(CURRENT));
    List<GenericData.Record> records = new ArrayList<>();
    readable.read(conf).forEach(records::add);
    assertEquals(5_000, records.size());
    assertEquals(5_000, records.stream().map(System::identityHashCode).distinct().count());
    List<String> described = new ArrayList<>();
    records.forEach(r -> described.add(new Describe().map(r)));
    assertTrue(described.contains("old-0:0:none"));
    assertTrue(described.contains("cur-4999:4999:kWh"));
  }

  @Test
  public void readableFilesNameADamagedFile() throws Exception {
    File file = tmp.getFile("cut.avro");
    write(file, CURRENT, 0, 2_000);
    byte[] bytes = java.nio.file.Files.readAllBytes(file.toPath());
    java.nio.file.Files.write(file.toPath(), java.util.Arrays.copyOf(bytes, bytes.length - 700));
    Configuration conf = tmp.getDefaultConfiguration();
    AvroReadableFiles<GenericData.Record> readable =
        AvroReadableFiles.of(conf, List.of(new Path(file.toURI())), Avros.generics(CURRENT));
    try {
      readable.read(conf).forEach(r -> { });
      throw new AssertionError("a cut file read without an error");
    } catch (RuntimeException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("cut.avro"));
    }
  }

  @Test
  public void readableFilesRefuseAPathWithoutAvroFilesAndAFileChangedSince() throws Exception {
    Configuration conf = tmp.getDefaultConfiguration();
    try {
      AvroReadableFiles.of(conf, List.of(new Path(tmp.getFile("none").toURI())), Avros.generics(CURRENT));
      throw new AssertionError("a path without Avro files was accepted");
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith("no Avro files at "));
    }
    File file = tmp.getFile("grown.avro");
    write(file, CURRENT, 0, 100);
    AvroReadableFiles<GenericData.Record> readable =
        AvroReadableFiles.of(conf, List.of(new Path(file.toURI())), Avros.generics(CURRENT));
    write(file, CURRENT, 0, 200);
    try {
      readable.read(conf).forEach(r -> { });
      throw new AssertionError("a file changed since it was listed read without an error");
    } catch (RuntimeException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("grown.avro") && e.getMessage().contains("it changed"));
    }
  }

  @Test(expected = IllegalArgumentException.class)
  public void reflectTypesAreRefused() {
    AvroBlocks.read(new MRPipeline(AvroBlocksTest.class, tmp.getDefaultConfiguration()),
        List.of(new Path("/none")), Avros.reflects(Named.class));
  }

  /** Fails with a ClassCastException unless the record is a String. */
  static final class Upper extends MapFn<String, String> {
    @Override
    public String map(String name) {
      return name.toUpperCase();
    }
  }

  /** A reflect type. */
  public static final class Named {
    public String name;
  }

  private void write(Pipeline pipeline, PCollection<GenericData.Record> records, String name) throws IOException {
    pipeline.writeTextFile(records.parallelDo(new Describe(), Writables.strings()), tmp.getFileName(name));
  }

  /** Each record as id:n:unit, sorted. */
  private List<String> lines(String name) throws IOException {
    List<String> lines = new ArrayList<>();
    for (File part : tmp.getFile(name).listFiles((dir, file) -> file.startsWith("part-"))) {
      lines.addAll(java.nio.file.Files.readAllLines(part.toPath()));
    }
    Collections.sort(lines);
    return lines;
  }

  static final class Describe extends MapFn<GenericData.Record, String> {
    @Override
    public String map(GenericData.Record r) {
      return r.get("id") + ":" + r.get("n") + ":" + r.get("unit");
    }
  }

  /** {@code count} records from {@code first} on, in blocks of about 1 kB (sync interval), snappy. */
  private static void write(File file, Schema schema, int first, int count) throws IOException {
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      writer.setCodec(CodecFactory.snappyCodec());
      writer.setSyncInterval(1024);
      writer.create(schema, file);
      for (int i = first; i < first + count; i++) {
        GenericRecord r = new GenericData.Record(schema);
        boolean old = schema == OLD;
        r.put("id", (old ? "old-" : "cur-") + i);
        r.put("n", (long) i);
        if (!old) {
          r.put("unit", "kWh");
        }
        writer.append(r);
      }
    }
  }
}

package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.tool.JobFailedException;
import java.io.File;
import java.io.RandomAccessFile;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Rule;
import org.junit.Test;

/** The outputs part of a manifest: each file, its records counted from its block headers. */
public class ManifestOutputsTest {

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private static final Schema STRING = Schema.create(Schema.Type.STRING);

  @Test
  @SuppressWarnings("unchecked")
  public void countsEachOfManyFiles() throws Exception {
    File dir = tmp.getFile("staged");
    dir.mkdirs();
    int[] records = {3, 0, 5000, 1, 70, 12, 9, 400, 2, 33, 8};
    for (int i = 0; i < records.length; i++) {
      write(new File(dir, String.format("part-r-%05d.avro", i)), records[i]);
    }
    java.nio.file.Files.writeString(new File(dir, "notes.txt").toPath(), "not Avro");
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);

    Map<String, Object> fields = manifest(conf).outputs(conf, fs, new Path(dir.toURI())).fields();

    Map<Object, Map<String, Object>> outputs = new TreeMap<>(); // by name: the local file system lists unsorted
    for (Map<String, Object> output : (List<Map<String, Object>>) fields.get("outputs")) {
      outputs.put(output.get("file"), output);
    }
    assertEquals(records.length + 1, outputs.size());
    long total = 0;
    for (int i = 0; i < records.length; i++) {
      Map<String, Object> output = outputs.get(String.format("part-r-%05d.avro", i));
      assertEquals(output.toString(), (long) records[i], ((Number) output.get("records")).longValue());
      assertTrue(output.toString(), output.get("schemaFingerprint").toString().startsWith("CRC-64-AVRO:"));
      total += records[i];
    }
    assertFalse(outputs.get("notes.txt").toString(), outputs.get("notes.txt").containsKey("records"));
    assertEquals(total, ((Number) fields.get("records")).longValue());
  }

  @Test
  public void aDamagedFileAmongManyIsNamed() throws Exception {
    File dir = tmp.getFile("damaged");
    dir.mkdirs();
    for (int i = 0; i < 5; i++) {
      write(new File(dir, String.format("part-r-%05d.avro", i)), 100);
    }
    File cut = new File(dir, "part-r-00003.avro");
    try (RandomAccessFile file = new RandomAccessFile(cut, "rw")) {
      file.setLength(file.length() - 5);
    }
    Configuration conf = new Configuration();

    JobFailedException e = assertThrows(JobFailedException.class,
        () -> manifest(conf).outputs(conf, FileSystem.getLocal(conf), new Path(dir.toURI())));

    assertTrue(e.getMessage(), e.getMessage().contains("part-r-00003.avro: truncated"));
  }

  private static Manifest manifest(Configuration conf) {
    return Manifest.of(conf, new Path("/data/p/d/2016-05-01"), "p/d", LocalDate.parse("2016-05-01"), "data");
  }

  private static void write(File file, int records) throws Exception {
    try (DataFileWriter<Object> writer = new DataFileWriter<>(new GenericDatumWriter<>(STRING))) {
      writer.setSyncInterval(64);
      writer.create(STRING, file);
      for (int i = 0; i < records; i++) {
        writer.append("record " + i);
      }
    }
  }
}

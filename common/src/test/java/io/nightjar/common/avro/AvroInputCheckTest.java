package io.nightjar.common.avro;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.common.tool.JobFailedException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.CheckedDataFileReader;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.mapred.FsInput;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Damaged and hostile Avro files, crafted byte by byte, on the local file system: refused by the check before a job
 * (the header and the end; every block with {@code requireReadableEveryBlock}) and, for damage inside the file, by
 * {@link CheckedDataFileReader} as a task reads the blocks.
 */
public class AvroInputCheckTest {

  private static final Schema SCHEMA = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\","
      + "\"namespace\":\"io.nightjar.test\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
      + "{\"name\":\"sensor\",\"type\":\"string\"},{\"name\":\"value\",\"type\":\"double\"}]}");

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  private FileSystem fs;
  private byte[] good;
  /** Where each block starts: just after the header's or a block's sync marker. */
  private List<Integer> blockStarts;

  @Before
  public void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    good = avroFile(SCHEMA, 3000);
    File file = tmp.newFile("scan.avro");
    Files.write(file.toPath(), good);
    byte[] sync = new byte[16];
    int headerEnd;
    try (DataFileReader<Object> reader = new DataFileReader<>(file, new GenericDatumReader<>())) {
      headerEnd = (int) reader.previousSync();
    }
    System.arraycopy(good, headerEnd - 16, sync, 0, 16);
    blockStarts = new ArrayList<>();
    for (int i = headerEnd; i < good.length; i++) {
      if (Arrays.equals(Arrays.copyOfRange(good, i - 16, i), sync)) {
        blockStarts.add(i);
      }
    }
  }

  @Test
  public void aCompleteFilePasses() throws IOException {
    Path file = write(good);
    assertNull(AvroInputCheck.check(fs, fs.getFileStatus(file), SCHEMA, false));
    assertNull(AvroInputCheck.check(fs, fs.getFileStatus(file), SCHEMA, true));
    AvroInputCheck.requireReadable(fs, List.of(file), SCHEMA);
    AvroInputCheck.requireReadableEveryBlock(new Configuration(), SCHEMA, List.of(file));
    assertEquals(3000, readAll(file));
    try (FSDataInputStream in = fs.open(file)) {
      AvroInputCheck.Layout layout = AvroInputCheck.Layout.read(in, good.length, true);
      assertEquals(blockStarts.size(), layout.blocks);
      assertTrue("several blocks: " + layout.blocks, layout.blocks > 10);
    } catch (AvroInputCheck.Damage e) {
      fail(e.getMessage());
    }
  }

  @Test
  public void aBlockClaimingTwoGigabytesIsRefused() throws IOException {
    int start = blockStarts.get(blockStarts.size() / 2);
    int sizeAt = start + varintLength(good, start);
    byte[] damaged = replace(good, sizeAt, varintLength(good, sizeAt), varint(Integer.MAX_VALUE));
    // Read by Avro's reader alone, this block would be allocated as one array of 2 GB (an OutOfMemoryError here).
    assertBlockRefused(damaged, "block at byte " + start + " claims 2147483647 bytes, ",
        "block at byte " + start + " claims 2147483647 bytes, ");
  }

  @Test
  public void aMetadataValuePastTheEndIsRefused() throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {'O', 'b', 'j', 1});
    header.write(varint(1));
    header.write(string("avro.schema"));
    header.write(varint(1_000_000_000));
    header.write(new byte[100]);
    assertRefused(header.toByteArray(),
        "damaged header: metadata value avro.schema at byte 17 claims 1000000000 bytes, 100 left");
  }

  @Test
  public void anUnknownCodecIsRefused() throws IOException {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {'O', 'b', 'j', 1});
    header.write(varint(2));
    header.write(string("avro.schema"));
    header.write(string(SCHEMA.toString()));
    header.write(string("avro.codec"));
    header.write(string("zstandard"));
    header.write(varint(0));
    header.write(new byte[16]);
    assertRefused(header.toByteArray(), "damaged header: unknown codec zstandard");
  }

  @Test
  public void aWrongSyncMarkerInTheMiddleIsRefused() throws IOException {
    int next = blockStarts.get(blockStarts.size() / 2);
    byte[] damaged = good.clone();
    damaged[next - 3] ^= 1;
    int start = blockStarts.get(blockStarts.size() / 2 - 1);
    assertBlockRefused(damaged, "is not followed by the file's sync marker (at byte " + (next - 16) + ")",
        "block at byte " + start + " is not followed by the file's sync marker");
  }

  @Test
  public void aNegativeBlockCountIsRefused() throws IOException {
    int start = blockStarts.get(1);
    byte[] damaged = replace(good, start, varintLength(good, start), varint(-1));
    assertBlockRefused(damaged, "block at byte " + start + " claims -1 records",
        "block at byte " + start + " claims -1 records");
  }

  @Test
  public void aBlockOfNoRecordsIsRefused() throws IOException {
    // Avro's reader would end the file there, silently dropping the blocks after it
    int start = blockStarts.get(blockStarts.size() / 2);
    byte[] damaged = replace(good, start, varintLength(good, start), varint(0));
    assertBlockRefused(damaged, "block at byte " + start + " holds no records",
        "block at byte " + start + " holds no records or does not decompress");
  }

  @Test
  public void anOverlongVarintIsRefused() throws IOException {
    int start = blockStarts.get(1);
    byte[] damaged = good.clone();
    Arrays.fill(damaged, start, start + 11, (byte) 0xff);
    assertBlockRefused(damaged, "block record count at byte " + start + " is longer than 10 bytes",
        "block at byte " + start + ": Invalid long encoding");
  }

  @Test
  public void aTruncatedFileIsRefused() throws IOException {
    int cut = good.length * 2 / 3;
    byte[] truncated = Arrays.copyOf(good, cut);
    assertRefused(truncated, "truncated: it does not end with its sync marker (" + cut + " bytes");
    assertEquals("truncated: it does not end with its sync marker (" + cut + " bytes)",
        AvroInputCheck.check(fs, fs.getFileStatus(write(truncated)), SCHEMA, false));
    assertEquals("truncated: it does not end with its sync marker (" + cut + " bytes; block at byte ",
        AvroInputCheck.check(fs, fs.getFileStatus(write(truncated)), SCHEMA, true).replaceAll("block at byte .*",
            "block at byte "));
    // A task given it anyway: the cut block does not fit in what is left.
    int start = blockStarts.stream().filter(b -> b < cut).reduce((a, b) -> b).orElseThrow();
    assertReadRefused(truncated, "block at byte " + start + " claims ");
  }

  @Test
  public void aFileEndingInsideABlockHeaderFailsTheTaskReadingIt() throws IOException {
    int start = blockStarts.get(blockStarts.size() / 2);
    // Avro's reader takes the EOFException in the header for the end of the file and loses the blocks after it.
    assertReadRefused(Arrays.copyOf(good, start + 1), "the file ends inside the block header at byte " + start);
  }

  @Test
  public void anEmptyFileIsRefused() throws IOException {
    assertRefused(new byte[0], "not an Avro data file (0 bytes");
  }

  @Test
  public void aJavaClassOnAStringFieldIsRefused() throws IOException {
    Schema hostile = new Schema.Parser().parse(SCHEMA.toString()
        .replace("{\"name\":\"sensor\",\"type\":\"string\"}",
            "{\"name\":\"sensor\",\"type\":{\"type\":\"string\",\"java-class\":\"java.io.File\"}}"));
    assertRefused(avroFile(hostile, 10),
        "writer schema declares java-class at field sensor (Avro would load that class; refused)");
  }

  @Test
  public void aJavaKeyClassDeepInAUnionIsRefused() throws IOException {
    Schema hostile = new Schema.Parser().parse(SCHEMA.toString().replace("]}", ",{\"name\":\"tags\",\"type\":"
        + "[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":\"string\","
        + "\"java-key-class\":\"java.io.File\"}}],\"default\":null}]}"));
    assertRefused(avroFile(hostile, 10), "writer schema declares java-key-class at field tags[]");
  }

  @Test
  public void aRecursiveSchemaIsWalkedOnce() throws IOException {
    Schema list = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
        + "{\"name\":\"value\",\"type\":\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
    Path file = write(avroFile(list, 0));
    assertNull(AvroInputCheck.check(fs, fs.getFileStatus(file), list, true));
  }

  /** Refused before any task: by the header and end check, and by the walk over every block. */
  private void assertRefused(byte[] bytes, String reason) throws IOException {
    Path file = write(bytes);
    for (boolean everyBlock : new boolean[] {false, true}) {
      String problem = AvroInputCheck.check(fs, fs.getFileStatus(file), SCHEMA, everyBlock);
      assertNotNull("refused", problem);
      assertTrue(problem, problem.contains(reason));
    }
    try {
      AvroInputCheck.requireReadable(fs, List.of(file), SCHEMA);
      fail("no JobFailedException");
    } catch (JobFailedException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(reason));
    }
  }

  /**
   * Damage inside the file: the header and end check lets it through, the walk over every block refuses it with
   * {@code walkReason}, and a task reading it fails with {@code readReason} before Avro reads the block.
   */
  private void assertBlockRefused(byte[] bytes, String walkReason, String readReason) throws IOException {
    Path file = write(bytes);
    assertNull(AvroInputCheck.check(fs, fs.getFileStatus(file), SCHEMA, false));
    try {
      AvroInputCheck.requireReadableEveryBlock(new Configuration(), SCHEMA, List.of(file));
      fail("no JobFailedException");
    } catch (JobFailedException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(walkReason));
    }
    assertEquals("what a failed run reports", AvroInputCheck.check(fs, fs.getFileStatus(file), SCHEMA, true),
        AvroInputCheck.damage(fs, fs.getFileStatus(file)));
    assertReadRefused(bytes, readReason);
  }

  /** Reading every record of {@code bytes} with {@link CheckedDataFileReader} fails naming the file and the reason. */
  private void assertReadRefused(byte[] bytes, String reason) throws IOException {
    Path file = write(bytes);
    try {
      readAll(file);
      fail("read without an error");
    } catch (AvroRuntimeException e) {
      assertTrue(e.getMessage(), e.getMessage().startsWith(file + ": damaged Avro data file: "));
      assertTrue(e.getMessage(), e.getMessage().contains(reason));
    }
  }

  private static long readAll(Path file) throws IOException {
    long records = 0;
    try (CheckedDataFileReader<Object> reader = new CheckedDataFileReader<>(new FsInput(file, new Configuration()),
        new GenericDatumReader<>(), file.toString())) {
      for (Object ignored : reader) {
        records++;
      }
    }
    return records;
  }

  private Path write(byte[] bytes) throws IOException {
    File file = new File(tmp.newFolder(), "input.avro");
    Files.write(file.toPath(), bytes);
    return new Path(file.toURI());
  }

  /** A null-codec file of {@code records} records in blocks of about 1 kB. */
  private static byte[] avroFile(Schema schema, int records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
      writer.setSyncInterval(1024);
      writer.create(schema, out);
      for (int i = 0; i < records; i++) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("id", (long) i);
        record.put("sensor", "s" + i % 50);
        record.put("value", i * 0.5);
        writer.append(record);
      }
    }
    return out.toByteArray();
  }

  private static byte[] replace(byte[] bytes, int at, int length, byte[] with) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, at);
    out.write(with, 0, with.length);
    out.write(bytes, at + length, bytes.length - at - length);
    return out.toByteArray();
  }

  private static int varintLength(byte[] bytes, int at) {
    int i = at;
    while ((bytes[i] & 0x80) != 0) {
      i++;
    }
    return i - at + 1;
  }

  /** Avro's zig-zag varint encoding. */
  private static byte[] varint(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = (value << 1) ^ (value >> 63);
    while ((n & ~0x7fL) != 0) {
      out.write((int) (n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.write((int) n);
    return out.toByteArray();
  }

  private static byte[] string(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(varint(utf8.length), 0, varint(utf8.length).length);
    out.write(utf8, 0, utf8.length);
    return out.toByteArray();
  }
}

package io.nightjar.common;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.mapred.FsInput;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks a job's Avro input files before any task starts, reading only each file's header and last 16 bytes:
 * the file is an Avro container, its writer schema can be read as the schema the job expects, and it ends with its
 * own sync marker. The last check matters: Avro's reader treats a file cut short inside a block as a normal end of
 * file, so a truncated copy would silently lose its last block of records. Damage inside a block (a flipped byte)
 * is not visible from outside; it fails the MapReduce task instead, and the day is not published either way.
 *
 * <p>Cost: two small reads per file (one NameNode call and two DataNode reads), negligible next to the job.
 */
public final class AvroInputCheck {

  private static final int SYNC_SIZE = 16;

  private AvroInputCheck() {
  }

  /** {@link #requireReadable(FileSystem, List, Schema)} on the inputs' own file system. */
  public static void requireReadable(org.apache.hadoop.conf.Configuration conf, Schema expected, List<Path> inputs)
      throws IOException {
    if (!inputs.isEmpty()) {
      requireReadable(inputs.get(0).getFileSystem(conf), inputs, expected);
    }
  }

  /**
   * Checks every {@code .avro} file matched by {@code inputs} (files, folders or globs); throws
   * {@link JobFailedException} listing every damaged file with its reason.
   */
  public static void requireReadable(FileSystem fs, List<Path> inputs, Schema expected) throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path input : inputs) {
      FileStatus[] matches = fs.globStatus(input);
      for (FileStatus match : matches == null ? new FileStatus[0] : matches) {
        List<FileStatus> files = match.isDirectory() ? AvroFiles.avroFileStatuses(fs, match.getPath())
            : AvroFiles.isAvroDataFile(match) ? List.of(match) : List.of();
        for (FileStatus file : files) {
          String problem = check(fs, file, expected);
          if (problem != null) {
            problems.add(file.getPath() + ": " + problem);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new JobFailedException(problems.size() + " damaged Avro input file(s), nothing read: "
          + String.join("; ", problems));
    }
  }

  /** The reason the file cannot be read completely as {@code expected}, or null. */
  static String check(FileSystem fs, FileStatus file, Schema expected) throws IOException {
    Schema writer;
    long headerEnd;
    try (FsInput in = new FsInput(file.getPath(), fs.getConf());
        DataFileReader<Object> header = new DataFileReader<>(in, new GenericDatumReader<>())) {
      writer = header.getSchema();
      headerEnd = header.previousSync();
    } catch (IOException e) {
      return "not an Avro data file (" + file.getLen() + " bytes: " + e.getMessage() + ")";
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(expected, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      List<String> missing = new ArrayList<>();
      for (Schema.Field field : expected.getFields()) {
        if (field.defaultVal() == null && (writer.getType() != Schema.Type.RECORD || writer.getField(field.name()) == null)) {
          missing.add(field.name());
        }
      }
      return "written as " + writer.getFullName() + ", which cannot be read as " + expected.getFullName()
          + (missing.isEmpty() ? " (incompatible field types)" : " (no " + String.join(", ", missing) + ")");
    }
    // The header ends with the file's sync marker, and so does every block: a complete file ends with it too.
    byte[] sync = new byte[SYNC_SIZE];
    byte[] tail = new byte[SYNC_SIZE];
    try (FSDataInputStream in = fs.open(file.getPath())) {
      in.readFully(headerEnd - SYNC_SIZE, sync);
      in.readFully(file.getLen() - SYNC_SIZE, tail);
    }
    if (!Arrays.equals(sync, tail)) {
      return "truncated: it does not end with its sync marker (" + file.getLen() + " bytes)";
    }
    return null;
  }
}

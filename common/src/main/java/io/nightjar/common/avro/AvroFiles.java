package io.nightjar.common.avro;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the Avro files directly in a folder (a published day: its {@code .avro} part files, hidden files ignored)
 * on any Hadoop file system: lists them, counts their records, and reads them as generic records into memory for
 * {@code verify}'s comparison (small outputs only; typed readers for tests are in the test kit).
 */
public final class AvroFiles {

  private AvroFiles() {
  }

  /** Every record of the folder's {@code .avro} files, whatever their schema, as generic records. */
  public static List<GenericRecord> readGeneric(FileSystem fs, Path dir) throws IOException {
    List<GenericRecord> records = new ArrayList<>();
    for (Path file : avroFiles(fs, dir)) {
      try (InputStream in = fs.open(file);
          DataFileStream<GenericRecord> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
        reader.forEach(records::add);
      }
    }
    return records;
  }

  /**
   * The folder's records as text (Avro's JSON rendering), sorted: a record set to compare with another run's, which
   * writes the same records into other files in another order; empty when the folder does not exist.
   */
  public static List<String> recordsAsText(FileSystem fs, Path dir) throws IOException {
    List<String> records = new ArrayList<>();
    if (fs.exists(dir)) {
      readGeneric(fs, dir).forEach(record -> records.add(record.toString()));
    }
    records.sort(null);
    return records;
  }

  /** How many records the folder's {@code .avro} files hold, whatever their schema. */
  public static long count(FileSystem fs, Path dir) throws IOException {
    long count = 0;
    for (Path file : avroFiles(fs, dir)) {
      try (InputStream in = fs.open(file);
          DataFileStream<Object> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
        for (Object ignored : reader) {
          count++;
        }
      }
    }
    return count;
  }

  /** The {@code .avro} data files directly in {@code dir}, in name order (hidden {@code _*}, {@code .*} skipped). */
  public static List<FileStatus> avroFileStatuses(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      if (isAvroDataFile(status)) {
        files.add(status);
      }
    }
    files.sort(null);
    return files;
  }

  /**
   * The {@code .avro} data files {@code input} stands for: a file, a folder (its files, as {@link #avroFileStatuses})
   * or a glob of either; none when nothing matches.
   */
  public static List<FileStatus> matching(FileSystem fs, Path input) throws IOException {
    List<FileStatus> files = new ArrayList<>();
    FileStatus[] matches = fs.globStatus(input);
    for (FileStatus match : matches == null ? new FileStatus[0] : matches) {
      if (match.isDirectory()) {
        files.addAll(avroFileStatuses(fs, match.getPath()));
      } else if (isAvroDataFile(match)) {
        files.add(match);
      }
    }
    return files;
  }

  /** A visible {@code .avro} file (not {@code _SUCCESS}-style or {@code .crc}-style hidden files). */
  static boolean isAvroDataFile(FileStatus status) {
    String name = status.getPath().getName();
    return status.isFile() && name.endsWith(".avro") && !name.startsWith("_") && !name.startsWith(".");
  }

  private static List<Path> avroFiles(FileSystem fs, Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (FileStatus status : avroFileStatuses(fs, dir)) {
      files.add(status.getPath());
    }
    return files;
  }
}

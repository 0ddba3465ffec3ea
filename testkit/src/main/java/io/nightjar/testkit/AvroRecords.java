package io.nightjar.testkit;

import io.nightjar.common.avro.AvroFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A published day's records in memory, for the demo, the tests and the benchmarks' checks: the Avro files directly in
 * a folder ({@link AvroFiles#avroFileStatuses}), file by file in name order. Not for a large dataset.
 */
public final class AvroRecords {

  private AvroRecords() {
  }

  /** Every record of the folder's {@code .avro} files as {@code type}. */
  public static <T> List<T> read(FileSystem fs, Path dir, Class<T> type) throws IOException {
    List<T> records = new ArrayList<>();
    for (FileStatus file : AvroFiles.avroFileStatuses(fs, dir)) {
      try (InputStream in = fs.open(file.getPath());
          DataFileStream<T> reader = new DataFileStream<>(in, new SpecificDatumReader<>(type))) {
        reader.forEach(records::add);
      }
    }
    return records;
  }

  /** The same, for a local folder. */
  public static <T> List<T> readLocal(File dir, Class<T> type) throws IOException {
    return read(FileSystem.getLocal(new Configuration()), new Path(dir.getAbsolutePath()), type);
  }

  /** Record count of a local folder's {@code .avro} files. */
  public static long countLocal(File dir) throws IOException {
    return AvroFiles.count(FileSystem.getLocal(new Configuration()), new Path(dir.getAbsolutePath()));
  }
}

package io.nightjar.oozie;

import io.nightjar.common.avro.AvroFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A published folder's records as sorted strings, to compare two runs (their Avro bytes differ by sync marker). */
final class PublishedRecords {

  private PublishedRecords() {
  }

  /** Empty when the folder does not exist. */
  static List<String> sorted(FileSystem fs, Path dir) throws IOException {
    List<String> records = new ArrayList<>();
    if (fs.exists(dir)) {
      for (Object record : AvroFiles.readGeneric(fs, dir)) {
        records.add(String.valueOf(record));
      }
    }
    records.sort(null);
    return records;
  }
}

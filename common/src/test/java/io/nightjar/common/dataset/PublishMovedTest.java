package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.time.LocalDate;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A day published from folders filled by renames (promote-import's): when the day cannot be published, the files go
 * back to where they were filled, so the rerun finds them; before, closing the day deleted them with its staging.
 */
public class PublishMovedTest {

  private static final LocalDate DAY = LocalDate.of(2016, 5, 1);
  private static final Schema ROW = SchemaBuilder.record("Row").fields().requiredString("id").endRecord();

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void filesThatCouldNotBePublishedGoBackToWhereTheyWereFilled() throws Exception {
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.newFolder("root").getAbsolutePath());
    conf.setClass("fs.file.impl", DayRefusingLocalFileSystem.class, FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    Dataset dataset = Dataset.of(conf, "tracks", "analysis/full");
    File promoting = tmp.newFolder("_promoting-" + DAY);
    Path data = filled(new File(promoting, "data"), 3);
    Path quarantine = filled(new File(promoting, "quarantine"), 1);
    DayRefusingLocalFileSystem.refused = dataset.dayPath(DAY).toUri().getPath();
    try (DailyPublication day = DailyPublication.begin(conf, dataset, DAY)) {
      day.publishMoved(data, quarantine, Map.of());
      fail("the day could not be renamed into place, yet it was published");
    } catch (IOException expected) {
      // the day's rename was refused
    } finally {
      DayRefusingLocalFileSystem.refused = null;
    }
    FileSystem fs = FileSystem.getLocal(new Configuration());
    assertFalse(dataset.isPublished(fs, DAY));
    assertTrue("the data is back where the rerun looks for it", fs.exists(new Path(data, "part-0.avro")));
    assertEquals(1, fs.listStatus(data, path -> path.getName().endsWith(".avro")).length);
  }

  private static Path filled(File folder, int rows) throws IOException {
    folder.mkdirs();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(ROW))) {
      writer.create(ROW, new File(folder, "part-0.avro"));
      for (int i = 0; i < rows; i++) {
        GenericRecord row = new GenericData.Record(ROW);
        row.put("id", "id-" + i);
        writer.append(row);
      }
    }
    return new Path(folder.getAbsolutePath());
  }

  /** The local file system, refusing to rename anything onto one path (as HDFS does where it may not write). */
  public static final class DayRefusingLocalFileSystem extends LocalFileSystem {
    static volatile String refused;

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
      if (dst.toUri().getPath().equals(refused)) {
        return false;
      }
      return super.rename(src, dst);
    }
  }
}

package io.nightjar.jobs.tracks.snapshots;

import static org.junit.Assert.assertEquals;

import io.nightjar.testkit.tracks.TrackAnalysisGenerator;
import io.nightjar.testkit.AvroRecords;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The cutover to TrackAttributes major version 2 (docs/publishing.md, Schemas): yesterday's attributes written with v1 are not
 * carried over; attributes-daily computes every track from the v2 analysis view instead.
 */
public class SchemaCutoverTest {

  @Rule
  public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void attributesOfAnEarlierMajorVersionAreRecomputedNotCarriedOver() throws Exception {
    File root = folder.newFolder("root");
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    conf.set("mapreduce.framework.name", "local");
    conf.set(Dataset.ROOT_KEY, root.getAbsolutePath());
    File full = new File(root, "tracks/analysis/full/2016-05-02");
    assertEquals(0, io.nightjar.testkit.Main.run(new Configuration(conf), "generate-track-analysis", "--output", full.getPath(),
        "--first-date", "2016-05-02", "--day", "1", "--tracks", "30", "--segments", "20"));
    Files.write(new File(full, Dataset.SUCCESS_FLAG).toPath(), new byte[0]);

    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/avro/history/TrackAttributes/v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    File yesterday = new File(root, "tracks/attributes/2016-05-01");
    yesterday.mkdirs();
    try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(v1))) {
      writer.create(v1, new File(yesterday, "part-m-00000.avro"));
      GenericRecord row = new GenericData.Record(v1);
      row.put("trackId", TrackAnalysisGenerator.trackId(0)); // a track of today's full, with v1 attributes
      row.put("tempo", 120.0);
      row.put("tempoClass", "medium");
      row.put("mode", "major");
      row.put("loudness", -7.0);
      row.put("acoustic", false);
      row.put("instrumental", false);
      row.put("analysisFetchedAt", 0L);
      writer.append(row);
    }
    Files.write(new File(yesterday, Dataset.SUCCESS_FLAG).toPath(), new byte[0]);

    assertEquals(0, Main.run(new Configuration(conf), "attributes-daily", "--date", "2016-05-02"));
    List<TrackAttributes> today = AvroRecords.readLocal(new File(root, "tracks/attributes/2016-05-02"),
        TrackAttributes.class);
    assertEquals(30, today.size());
    for (TrackAttributes attributes : today) {
      assertEquals(20, (int) attributes.getSegmentCount());
    }
  }

}

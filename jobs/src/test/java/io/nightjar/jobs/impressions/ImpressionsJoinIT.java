package io.nightjar.jobs.impressions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.Dataset;
import io.nightjar.jobs.HdfsTestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.codehaus.jackson.JsonNode;
import org.codehaus.jackson.map.ObjectMapper;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * impressions-join as MapReduce on an in-process HDFS over a Zipf-skewed generated day: every strategy publishes the
 * same rows, the adaptive strategy keeps reducer loads within target where the default join does not, and the skew
 * report beside the output matches the job's counters.
 */
public class ImpressionsJoinIT {

  private static final String DAY = "2016-05-01";
  private static final int REDUCERS = 8;
  private static HdfsTestCluster hdfs;

  @BeforeClass
  public static void generateSkewedDay() throws IOException {
    hdfs = new HdfsTestCluster();
    assertEquals(0, hdfs.run("generate-ad-impressions", "--date", DAY, "--impressions", "40000", "--ads", "400",
        "--zipf", "1.1", "--bad-impressions", "6", "--files", "2",
        "--impressions-output", "/nightjar/ads/impressions/" + DAY,
        "--metadata-output", "/nightjar/ads/ad-metadata/" + DAY));
    hdfs.fs().create(new Path("/nightjar/ads/ad-metadata/" + DAY + "/" + Dataset.SUCCESS_FLAG)).close();
  }

  @AfterClass
  public static void stop() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Test
  public void strategiesAgreeAndAdaptiveBalancesReducers() throws IOException {
    Map<String, Set<String>> rows = new HashMap<>();
    Map<String, JsonNode> reports = new HashMap<>();
    for (String strategy : new String[] {"default", "sharded", "adaptive", "mapside", "auto"}) {
      assertEquals(strategy, 0, hdfs.run("impressions-join", "--date", DAY, "--strategy", strategy,
          "--dataset", "enriched-" + strategy, "--reducers", Integer.toString(REDUCERS), "--sample-fraction", "0.1"));
      Path day = new Path("/nightjar/ads/enriched-" + strategy + "/" + DAY);
      Set<String> set = new HashSet<>();
      for (EnrichedImpression row : hdfs.readAvro(day, EnrichedImpression.class)) {
        assertTrue(strategy + ": duplicate " + row.getImpressionId(), set.add(row.toString()));
      }
      rows.put(strategy, set);
      reports.put(strategy, readJson(new Path(day, SkewReport.JSON_FILE)));
      assertTrue(hdfs.fs().exists(new Path(day, SkewReport.SVG_FILE)));
      assertEquals(strategy + ": every impression once, bad ones quarantined", 40000, set.size());
      assertEquals(6, hdfs.readAvro(new Path("/nightjar/ads/enriched-" + strategy + "/_quarantine/" + DAY),
          QuarantineRecord.class).size());
      assertEquals(strategy + ": report tasks add up to the rows written", set.size(),
          sum(reports.get(strategy).get("tasks")));
    }
    for (String strategy : rows.keySet()) {
      assertEquals(strategy + " differs from default", rows.get("default"), rows.get(strategy));
    }

    JsonNode defaultJoin = reports.get("default");
    JsonNode adaptive = reports.get("adaptive");
    assertEquals(REDUCERS, adaptive.get("tasks").size());
    assertTrue("the generated day must be skewed: " + defaultJoin, defaultJoin.get("maxOverMean").asDouble() > 2.0);
    assertTrue("adaptive max/mean " + adaptive.get("maxOverMean"), adaptive.get("maxOverMean").asDouble() <= 1.5);
    assertTrue(adaptive.get("maxRows").asLong() < defaultJoin.get("maxRows").asLong());
    long metadataRows = defaultJoin.get("metadataRowsShuffled").asLong();
    assertTrue("adaptive copies metadata only for hot ads: " + adaptive.get("metadataRowsShuffled"),
        adaptive.get("metadataRowsShuffled").asLong() <= 1.2 * metadataRows);
    assertEquals(REDUCERS * metadataRows, reports.get("sharded").get("metadataRowsShuffled").asLong());
    assertEquals("mapside", reports.get("auto").get("strategy").asText());
    assertEquals("ad-00000", adaptive.get("hottestAds").getFieldNames().next());
  }

  @Test
  public void impressionsWithoutTheirFlagAreAnUnfinishedDay() throws IOException {
    String day = "2016-05-02";
    assertEquals(0, hdfs.run("generate-ad-impressions", "--date", day, "--impressions", "100", "--ads", "10",
        "--impressions-output", "/nightjar/ads/impressions/" + day,
        "--metadata-output", "/nightjar/ads/ad-metadata/" + day));
    hdfs.fs().delete(new Path("/nightjar/ads/impressions/" + day + "/" + Dataset.SUCCESS_FLAG), false);
    assertEquals(1, hdfs.run("impressions-join", "--date", day, "--dataset", "unflagged"));
    assertFalse(hdfs.fs().exists(new Path("/nightjar/ads/unflagged/" + day)));
  }

  private static long sum(JsonNode tasks) {
    long total = 0;
    for (Iterator<JsonNode> it = tasks.getElements(); it.hasNext(); ) {
      total += it.next().asLong();
    }
    return total;
  }

  private static JsonNode readJson(Path path) throws IOException {
    try (InputStream in = hdfs.fs().open(path)) {
      return new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}

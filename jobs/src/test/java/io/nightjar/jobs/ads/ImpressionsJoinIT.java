package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.HdfsTestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.codehaus.jackson.JsonNode;
import org.codehaus.jackson.map.ObjectMapper;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized.Parameter;
import org.junit.runners.Parameterized.Parameters;
import org.junit.runners.Parameterized;

/**
 * impressions-join as MapReduce on an in-process HDFS over a Zipf-skewed generated day, run once per strategy (one
 * cluster for all): each publishes the same rows as {@code default}, with a skew report that adds up, and the loads its
 * strategy promises (adaptive within target where the default join is not; metadata copied per shard by the sharded
 * ones). The join cases themselves: {@link ImpressionsJoinTester}.
 */
@RunWith(Parameterized.class)
public class ImpressionsJoinIT {

  private static final String DAY = "2016-05-01";
  private static final int REDUCERS = 8;
  @ClassRule
  public static final HdfsTestCluster hdfs = new HdfsTestCluster();
  /** Rows and skew report of each strategy's run, run once per strategy. */
  private static final Map<String, Set<String>> ROWS = new HashMap<>();
  private static final Map<String, JsonNode> REPORTS = new HashMap<>();

  @Parameters(name = "{0}")
  public static List<String> strategies() {
    return List.of("default", "sharded", "adaptive", "mapside", "auto");
  }

  @Parameter
  public String strategy;

  @BeforeClass
  public static void generateSkewedDay() throws IOException {
    assertEquals(0, hdfs.run("generate-ad-impressions", "--date", DAY, "--impressions", "40000", "--ads", "400",
        "--zipf", "1.1", "--bad-impressions", "6", "--files", "2",
        "--impressions-output", "/nightjar/ads/impressions/" + DAY,
        "--metadata-output", "/nightjar/ads/ad-metadata/" + DAY));
    hdfs.fs().create(new Path("/nightjar/ads/ad-metadata/" + DAY + "/" + Dataset.SUCCESS_FLAG)).close();
  }

  @Test
  public void publishesTheSameRowsAsTheDefaultJoin() throws IOException {
    Set<String> rows = rows(strategy);
    assertEquals(strategy + ": every impression once, bad ones quarantined", 40000, rows.size());
    assertEquals(6, hdfs.readAvro(new Path("/nightjar/ads/enriched-" + strategy + "/_quarantine/" + DAY),
        QuarantineRecord.class).size());
    assertTrue(hdfs.fs().exists(new Path("/nightjar/ads/enriched-" + strategy + "/" + DAY, SkewReport.SVG_FILE)));
    assertEquals(strategy + ": report tasks add up to the rows written", rows.size(),
        sum(REPORTS.get(strategy).get("tasks")));
    assertEquals(strategy + " differs from default", rows("default"), rows);
  }

  @Test
  public void reducerLoadsAreWhatTheStrategyPromises() throws IOException {
    rows(strategy);
    rows("default");
    JsonNode report = REPORTS.get(strategy);
    JsonNode defaultJoin = REPORTS.get("default");
    long metadataRows = defaultJoin.get("metadataRowsShuffled").asLong();
    switch (strategy) {
      case "default":
        assertTrue("the generated day must be skewed: " + report, report.get("maxOverMean").asDouble() > 2.0);
        break;
      case "sharded":
        // the salted joins shuffle every row (duplicates are dropped in the join), default once, sharded per shard
        assertEquals("metadata copied to every shard", REDUCERS * metadataRows,
            report.get("metadataRowsShuffled").asLong());
        break;
      case "adaptive":
        assertEquals(REDUCERS, report.get("tasks").size());
        assertTrue("adaptive max/mean " + report.get("maxOverMean"), report.get("maxOverMean").asDouble() <= 1.5);
        assertTrue(report.get("maxRows").asLong() < defaultJoin.get("maxRows").asLong());
        assertTrue("the report compares its largest task with the default strategy's: " + report,
            report.get("largestOverDefault").asDouble() > 0 && report.get("largestOverDefault").asDouble() < 1);
        assertTrue("adaptive copies metadata only for hot ads: " + report.get("metadataRowsShuffled"),
            report.get("metadataRowsShuffled").asLong() <= 1.2 * metadataRows);
        assertEquals("ad-00000", report.get("hottestAds").getFieldNames().next());
        break;
      case "mapside":
        assertEquals("no metadata shuffled", 0, report.get("metadataRowsShuffled").asLong());
        // every map task reads all metadata rows; only one counts them
        assertTrue("several map tasks, or the counts below prove nothing: " + report.get("tasks"),
            report.get("tasks").size() > 1);
        assertEquals("metadata rows read, without an ad id and duplicates, as the default strategy counts them",
            defaultJoin.get("metadata"), report.get("metadata"));
        break;
      case "auto":
        assertEquals("mapside", report.get("strategy").asText());
        break;
      default:
        throw new AssertionError("no expectation for " + strategy);
    }
  }

  @Test
  public void impressionsWithoutTheirFlagAreAnUnfinishedDay() throws IOException {
    String day = "2016-05-02";
    if (!hdfs.fs().exists(new Path("/nightjar/ads/impressions/" + day))) {
      assertEquals(0, hdfs.run("generate-ad-impressions", "--date", day, "--impressions", "100", "--ads", "10",
          "--impressions-output", "/nightjar/ads/impressions/" + day,
          "--metadata-output", "/nightjar/ads/ad-metadata/" + day));
      hdfs.fs().delete(new Path("/nightjar/ads/impressions/" + day + "/" + Dataset.SUCCESS_FLAG), false);
    }
    assertEquals(1, hdfs.run("impressions-join", "--date", day, "--dataset", "unflagged", "--strategy", strategy));
    assertFalse(hdfs.fs().exists(new Path("/nightjar/ads/unflagged/" + day)));
  }

  /** The rows {@code name} published, running it the first time it is asked for. */
  private static Set<String> rows(String name) throws IOException {
    if (!ROWS.containsKey(name)) {
      // splits of 256 kB: several map tasks (the two files would otherwise be combined into one split)
      assertEquals(name, 0, hdfs.run("impressions-join", "-D", "crunch.combine.file.block.size=262144",
          "--date", DAY, "--strategy", name,
          "--dataset", "enriched-" + name, "--reducers", Integer.toString(REDUCERS), "--sample-fraction", "0.1",
          "--rows-per-reducer", "5000")); // 40,000 impressions: adaptive coalesces to the 8 reducers
      Path day = new Path("/nightjar/ads/enriched-" + name + "/" + DAY);
      Set<String> set = new HashSet<>();
      for (EnrichedImpression row : hdfs.readAvro(day, EnrichedImpression.class)) {
        assertTrue(name + ": duplicate " + row.getImpressionId(), set.add(row.toString()));
      }
      ROWS.put(name, set);
      REPORTS.put(name, readJson(new Path(day, SkewReport.JSON_FILE)));
    }
    return ROWS.get(name);
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

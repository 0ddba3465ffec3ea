package io.nightjar.bench.spark;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * The same work as two nightjar pipelines, written the way a team would in Spark SQL, for the benchmarks to run
 * beside nightjar on the same files: {@code local[2]}, one run per process (a daily job is its own process), Avro in
 * and Avro out through spark-avro, at Spark's defaults unless {@code --partitions} or {@code --adaptive} is given.
 * Prints one line, {@code spark <work>: session S s, job J s}; the benchmark times
 * the whole process and compares the output with its own.
 *
 * <ul>
 *   <li>{@code sensors --input F --output DIR --day D [--dedup]}: readings of day D with a sensor id and a finite
 *       value, per sensor count, sum, min, max; {@code --dedup} first resolves duplicates by nightjar's rule: a
 *       (sensorId, timestamp) whose readings all have one value counts once, one with several values not at all.</li>
 *   <li>{@code join --impressions DIR --metadata DIR --output DIR --day D [--broadcast] [--partitions N]
 *       [--adaptive true|false]}: impressions of day D left outer join the latest metadata row per ad, the columns of nightjar's
 *       EnrichedImpression in its order.</li>
 * </ul>
 */
public final class SparkBaseline {

  private SparkBaseline() {
  }

  public static void main(String[] args) {
    String work = args[0];
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String name = args[i].substring(2);
      boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
      options.put(name, flag ? "true" : args[++i]);
    }
    long start = System.nanoTime();
    // Spark at its defaults (adaptive execution on since 3.2, its own shuffle partitions) unless a row asks
    // otherwise: --partitions N and --adaptive false are the tuned rows, labelled as such by the benchmarks.
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("nightjar-bench-" + work)
        .config("spark.ui.enabled", "false")
        // Broadcast only when asked: the sort-merge row is the reduce-side join nightjar's default is compared with.
        .config("spark.sql.autoBroadcastJoinThreshold", options.containsKey("broadcast") ? "1g" : "-1");
    if (options.containsKey("partitions")) {
      builder.config("spark.sql.shuffle.partitions", options.get("partitions"));
    }
    if (options.containsKey("adaptive")) {
      builder.config("spark.sql.adaptive.enabled", options.get("adaptive"));
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    long ready = System.nanoTime();
    LocalDate day = LocalDate.parse(options.get("day"));
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long dayEnd = dayStart + 86_400_000L;
    if (work.equals("sensors")) {
      sensors(spark, options, dayStart, dayEnd);
    } else if (work.equals("join")) {
      join(spark, options, dayStart, dayEnd);
    } else {
      throw new IllegalArgumentException("sensors or join, not " + work);
    }
    long done = System.nanoTime();
    System.out.printf("spark %s: session %.2f s, job %.2f s%n", work, (ready - start) / 1e9, (done - ready) / 1e9);
    spark.stop();
  }

  private static void sensors(SparkSession spark, Map<String, String> options, long dayStart, long dayEnd) {
    Dataset<Row> readings = spark.read().format("avro").load(options.get("input"))
        .filter(col("sensorId").isNotNull().and(trim(col("sensorId")).notEqual(""))
            .and(col("timestamp").geq(dayStart)).and(col("timestamp").lt(dayEnd))
            .and(col("value").notEqual(Double.NaN))
            .and(col("value").lt(Double.POSITIVE_INFINITY)).and(col("value").gt(Double.NEGATIVE_INFINITY))
            .and(abs(col("value")).leq(1e15))); // nightjar's ReadingParser.MAX_ABS_VALUE
    if (options.containsKey("dedup")) {
      // nightjar's rule (--duplicates remove): a reading repeated exactly counts once; readings of one sensor and
      // timestamp with different values cannot be resolved and count not at all (nightjar quarantines them).
      readings = readings.groupBy("sensorId", "timestamp")
          .agg(min("value").as("lowest"), max("value").as("value"))
          .filter(col("lowest").equalTo(col("value")));
    }
    readings.groupBy("sensorId")
        .agg(count(lit(1)).as("count"), sum("value").as("sum"), min("value").as("min"), max("value").as("max"))
        .write().mode("overwrite").format("avro").save(options.get("output"));
  }

  private static void join(SparkSession spark, Map<String, String> options, long dayStart, long dayEnd) {
    Dataset<Row> impressions = spark.read().format("avro").load(options.get("impressions"))
        .filter(col("adId").isNotNull().and(trim(col("adId")).notEqual(""))
            .and(col("timestamp").geq(dayStart)).and(col("timestamp").lt(dayEnd)));
    // The latest row per ad, ties by the greatest advertiser, campaign, creative (nightjar's rule).
    Dataset<Row> metadata = spark.read().format("avro").load(options.get("metadata"))
        .filter(col("adId").isNotNull())
        .withColumn("rank", row_number().over(Window.partitionBy("adId")
            .orderBy(desc("updatedAt"), desc("advertiser"), desc("campaign"), desc("creative"))))
        .filter(col("rank").equalTo(1))
        .select(col("adId").as("metaAdId"), col("advertiser"), col("campaign"), col("creative"));
    impressions.join(metadata, impressions.col("adId").equalTo(metadata.col("metaAdId")), "left_outer")
        .select(col("impressionId"), col("adId"), col("timestamp"), col("userId"), col("deviceType"),
            col("country"), col("metaAdId").isNotNull().as("adKnown"), col("advertiser"), col("campaign"),
            col("creative"))
        .write().mode("overwrite").format("avro").save(options.get("output"));
  }
}

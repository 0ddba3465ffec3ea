package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.Manifest;
import java.io.File;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsShell;
import org.apache.hadoop.fs.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A published day's {@code _SUCCESS} is its manifest: the tool and arguments, the run, the input file, the output
 * files with records and schema fingerprints, and the run's own accounting; its quarantine has one too. A reader that
 * only tests for the flag still sees the day, and {@code show} prints the manifest.
 */
public class ManifestTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  private static final File SAMPLE = new File("../testdata/sensors/readings/2016-05-01/readings.csv");

  @Test
  @SuppressWarnings("unchecked")
  public void aPublishedDayCarriesItsManifest() throws Exception {
    Configuration conf = new Configuration();
    Printed run = Printed.by(() -> Main.run(conf, "sensor-averages", "--root", tmp.getRoot().getPath(), "--date",
        "2016-05-01", "--input", SAMPLE.getPath()));
    assertEquals(run.toString(), 0, run.status);
    FileSystem fs = FileSystem.getLocal(conf);
    Dataset dataset = Dataset.of(withRoot(conf), "sensors", "sensor-averages-day");
    Path day = dataset.dayPath(java.time.LocalDate.parse("2016-05-01"));

    Map<String, Object> manifest = Manifest.read(fs, day);
    assertEquals(Manifest.FORMAT, manifest.get("format"));
    assertEquals("sensors/sensor-averages-day", manifest.get("dataset"));
    assertEquals("2016-05-01", manifest.get("day"));
    assertEquals("sensor-averages", manifest.get("tool"));
    assertEquals(List.of("--root", tmp.getRoot().getPath(), "--date", "2016-05-01", "--input", SAMPLE.getPath()),
        manifest.get("arguments"));
    Map<String, Object> runInfo = (Map<String, Object>) manifest.get("run");
    assertNotNull(runInfo.get("id"));
    assertTrue(runInfo.toString(), runInfo.get("start").toString().compareTo(runInfo.get("end").toString()) <= 0);
    assertTrue(manifest.get("jobs").toString(), ((List<String>) manifest.get("jobs")).get(0).startsWith("job_"));

    List<Map<String, Object>> inputs = (List<Map<String, Object>>) manifest.get("inputs");
    assertEquals(1, inputs.size());
    assertTrue(inputs.get(0).get("path").toString().endsWith("readings.csv"));
    assertEquals(SAMPLE.length(), ((Number) inputs.get(0).get("bytes")).longValue());

    long records = AvroFiles.count(fs, day);
    assertEquals(records, ((Number) manifest.get("records")).longValue());
    for (Map<String, Object> output : (List<Map<String, Object>>) manifest.get("outputs")) {
      assertTrue(output.toString(), output.get("schemaFingerprint").toString().startsWith("CRC-64-AVRO:"));
    }
    // The run's own accounting, as it printed it.
    Map<String, Object> accounting = (Map<String, Object>) manifest.get("accounting");
    long in = ((Number) accounting.get("in")).longValue();
    long out = ((Number) accounting.get("out")).longValue();
    long quarantined = ((Number) accounting.get("quarantined")).longValue();
    long skipped = ((Number) accounting.get("skipped")).longValue();
    assertEquals(in, out + quarantined + skipped);
    assertTrue(run.out, run.out.contains("(" + records + " figures from " + out + " readings); " + quarantined
        + " quarantined in "));
    assertEquals(records, ((Number) accounting.get("written")).longValue());

    Map<String, Object> quarantine = Manifest.read(fs, dataset.quarantinePath(java.time.LocalDate.parse(
        "2016-05-01")));
    assertEquals("quarantine", quarantine.get("kind"));
    assertEquals("sensors/sensor-averages-day", quarantine.get("dataset"));

    // A reader that only tests for the flag: hdfs dfs -test -e.
    assertEquals(0, new FsShell(conf).run(new String[] {"-test", "-e", new Path(day, Dataset.SUCCESS_FLAG)
        .toString()}));
    Printed shown = Printed.by(() -> Main.run(conf, "show", "sensors/sensor-averages-day", "--root",
        tmp.getRoot().getPath(), "--date", "2016-05-01"));
    assertEquals(shown.toString(), 0, shown.status);
    assertTrue(shown.out, shown.out.contains("made by: sensor-averages --root "));
    assertTrue(shown.out, shown.out.contains("inputs: 1 file(s), "));
  }

  private Configuration withRoot(Configuration conf) {
    Configuration copy = new Configuration(conf);
    copy.set(Dataset.ROOT_KEY, tmp.getRoot().getPath());
    return copy;
  }
}

package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.DatasetLease;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.codehaus.jackson.map.ObjectMapper;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code status} over a root with a steady dataset and one with an outlier day, a late day and a dead run's lease:
 * each is shown and flagged, and the exit status says so.
 */
public class StatusToolTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  private static final LocalDate FIRST = LocalDate.parse("2016-05-01");

  @Test
  public void flagsAnOutlierALateDayAndADeadRunsLease() throws Exception {
    for (int d = 0; d < 20; d++) {
      day("sensors/steady", FIRST.plusDays(d), 1_000 + d % 3, 2);
    }
    // A flag another tool wrote (not a manifest): published, nothing known of it, never an error.
    Files.writeString(new File(tmp.getRoot(), "sensors/steady/2016-05-20/_SUCCESS").toPath(), "ok\n");
    // A day refused for too much quarantine: its quarantine published, its data not.
    File refused = new File(tmp.getRoot(), "sensors/refused/_quarantine/2016-05-20");
    assertTrue(refused.mkdirs());
    assertTrue(new File(refused, "_SUCCESS").createNewFile());
    for (int d = 0; d < 17; d++) {
      day("ads/troubled", FIRST.plusDays(d), d == 15 ? 5_000 : 2_000 + d % 5, 3);
    }
    // 2016-05-18 not published (late), 2016-05-19 a lease file left empty by a run that died (stale at grace 0).
    File lease = new File(tmp.getRoot(), "ads/troubled/" + DatasetLease.LEASE_DIR + "/2016-05-19");
    assertTrue(lease.getParentFile().mkdirs());
    assertTrue(lease.createNewFile());
    Configuration conf = new Configuration();
    conf.setInt(DatasetLease.UNWRITTEN_GRACE_SECONDS_KEY, 0);

    Printed table = Printed.by(() -> Main.run(conf, "status", "--root", tmp.getRoot().getPath(), "--date",
        "2016-05-20", "--days", "10"));
    assertEquals(table.toString(), 1, table.status);
    assertTrue(table.out, table.out.contains("4 flagged:"));
    assertTrue(table.out, table.out.contains("sensors/refused 2016-05-20: refused: its quarantine is published"));
    assertTrue(table.out, table.out.contains("ads/troubled 2016-05-16: 5,000 records, median 2002 over the 14 days"));
    assertTrue(table.out, table.out.contains("ads/troubled 2016-05-18: late: not published 6 h after the day ended"));
    assertTrue(table.out, table.out.contains("ads/troubled 2016-05-19: failed: a dead run's lease"));
    String troubled = table.out.lines().filter(l -> l.startsWith("ads/troubled")).findFirst().orElse("");
    assertTrue(troubled, troubled.contains(" #  !  #  L  F  . "));
    String steady = table.out.lines().filter(l -> l.startsWith("sensors/steady")).findFirst().orElse("");
    assertFalse(steady, steady.contains("!"));

    File picture = new File(tmp.getRoot(), "status.svg");
    Printed json = Printed.by(() -> Main.run(conf, "status", "--root", tmp.getRoot().getPath(), "--date",
        "2016-05-20", "--days", "10", "--json", "--svg", picture.getPath()));
    assertEquals(1, json.status);
    Map<?, ?> parsed = new ObjectMapper().readValue(json.out, Map.class);
    Map<?, ?> days = (Map<?, ?>) ((Map<?, ?>) parsed.get("datasets")).get("ads/troubled");
    assertEquals("F", ((Map<?, ?>) days.get("2016-05-19")).get("state"));
    assertEquals(4, ((java.util.List<?>) parsed.get("flagged")).size());
    assertTrue(Files.readString(picture.toPath()).contains("stroke=\"#c0392b\""));

    Printed earlier = Printed.by(() -> Main.run(conf, "status", "--root", tmp.getRoot().getPath(), "--date",
        "2016-05-15", "--days", "5"));
    assertEquals("nothing wrong up to 2016-05-15: " + earlier, 0, earlier.status);
  }

  /** A published day whose manifest says {@code records} records and {@code quarantined} of them refused. */
  private void day(String dataset, LocalDate day, long records, long quarantined) throws IOException {
    File folder = new File(tmp.getRoot(), dataset + "/" + day);
    assertTrue(folder.mkdirs());
    String manifest = String.format("{\"format\": \"nightjar-manifest/1\", \"day\": \"%s\", \"records\": %d, "
        + "\"accounting\": {\"in\": %d, \"out\": %d, \"quarantined\": %d, \"skipped\": 0}}", day, records,
        records + quarantined, records, quarantined);
    Files.writeString(new File(folder, Dataset.SUCCESS_FLAG).toPath(), manifest, StandardCharsets.UTF_8);
  }
}

package io.nightjar.workflows;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import org.junit.Test;

/** The chain diagram in docs/running.md is generated from the coordinators and must be current. */
public class ChainDiagramTest {

  @Test
  public void readsWhatEachCoordinatorWaitsForAndPublishes() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(new File("."));
    assertEquals(Arrays.asList("analysis-import", "impressions-join", "sensor-averages", "tracks-daily"),
        Arrays.asList(jobs.keySet().toArray()));
    assertEquals("[tracks/metadata-dump]", jobs.get("analysis-import").reads.toString());
    assertEquals("[tracks/analysis/incremental]", jobs.get("analysis-import").publishes.toString());
    assertTrue(jobs.get("tracks-daily").reads.contains("tracks/analysis/incremental"));
    assertTrue(jobs.get("tracks-daily").reads.contains("tracks/analysis/full"));
    assertEquals("[tracks/attributes]", jobs.get("tracks-daily").publishes.toString());
  }

  @Test
  public void orderPutsPublishersBeforeReaders() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(new File("."));
    ChainDiagram.Job reader = new ChainDiagram.Job("a-reader");
    reader.reads.add("tracks/attributes");
    jobs.put(reader.name, reader);
    assertEquals("a-reader comes after tracks-daily, which publishes what it reads", "a-reader",
        ChainDiagram.order(jobs).get(ChainDiagram.order(jobs).size() - 1));
  }

  @Test
  public void theTracksChainIsOneLane() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(new File("."));
    assertEquals("[[analysis-import, tracks-daily], [impressions-join], [sensor-averages]]",
        ChainDiagram.lanes(jobs).toString());
    String svg = ChainDiagram.svg(jobs);
    assertEquals("each dataset drawn once", 1, svg.split(">tracks/analysis/incremental<", -1).length - 1);
  }

  @Test
  public void committedDiagramIsCurrent() throws Exception {
    String generated = ChainDiagram.svg(ChainDiagram.read(new File(".")));
    File committed = new File("daily-chain.svg");
    String current = committed.exists() ? new String(Files.readAllBytes(committed.toPath()), StandardCharsets.UTF_8)
        : "";
    if (!generated.equals(current)) {
      Files.write(new File("target/daily-chain.svg").toPath(), generated.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("workflows/daily-chain.svg is out of date: copy workflows/target/daily-chain.svg over it",
        generated, current);
  }
}

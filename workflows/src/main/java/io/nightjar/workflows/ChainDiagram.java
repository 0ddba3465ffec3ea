package io.nightjar.workflows;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The daily chain drawn from the coordinator definitions themselves: each app under {@code workflows/} with a
 * {@code coordinator.xml} is a job, each dataset it waits for ({@code data-in}) or publishes ({@code data-out}) a
 * dataset, named by its uri-template under the root. Writes an SVG (datasets left of the jobs that read them, jobs
 * left of what they publish) and lists the jobs in an order that respects the datasets they share.
 *
 * <p>Run {@code java io.nightjar.workflows.ChainDiagram workflows/ out.svg}; the build's test regenerates it and
 * checks that {@code workflows/daily-chain.svg} is current.
 */
public final class ChainDiagram {

  /** A job (coordinator app) and the datasets it reads and publishes. */
  public static final class Job {
    public final String name;
    public final Set<String> reads = new LinkedHashSet<>();
    public final Set<String> publishes = new LinkedHashSet<>();

    Job(String name) {
      this.name = name;
    }
  }

  private ChainDiagram() {
  }

  /** The jobs of every app folder with a coordinator, by name. */
  public static Map<String, Job> read(File appsFolder) throws Exception {
    Map<String, Job> jobs = new TreeMap<>();
    File[] apps = appsFolder.listFiles(File::isDirectory);
    for (File app : apps == null ? new File[0] : apps) {
      File coordinator = new File(app, "coordinator.xml");
      if (!coordinator.exists()) {
        continue;
      }
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      Document xml = factory.newDocumentBuilder().parse(coordinator);
      Map<String, String> uris = new LinkedHashMap<>();
      NodeList datasets = xml.getElementsByTagNameNS("*", "dataset");
      for (int i = 0; i < datasets.getLength(); i++) {
        Element dataset = (Element) datasets.item(i);
        String template = dataset.getElementsByTagNameNS("*", "uri-template").item(0).getTextContent().trim();
        uris.put(dataset.getAttribute("name"),
            template.replace("${nightjarRoot}/", "").replace("/${YEAR}-${MONTH}-${DAY}", ""));
      }
      Job job = new Job(app.getName());
      addEvents(xml, "data-in", uris, job.reads);
      addEvents(xml, "data-out", uris, job.publishes);
      jobs.put(job.name, job);
    }
    return jobs;
  }

  private static void addEvents(Document xml, String tag, Map<String, String> uris, Set<String> into) {
    NodeList events = xml.getElementsByTagNameNS("*", tag);
    for (int i = 0; i < events.getLength(); i++) {
      Element event = (Element) events.item(i);
      if (event.getParentNode().getLocalName().endsWith("-events")) {
        into.add(uris.get(event.getAttribute("dataset")));
      }
    }
  }

  /** Jobs ordered so a job comes after every job publishing a dataset it reads (ties by name). */
  public static List<String> order(Map<String, Job> jobs) {
    List<String> ordered = new ArrayList<>();
    Set<String> remaining = new LinkedHashSet<>(jobs.keySet());
    while (!remaining.isEmpty()) {
      String next = null;
      for (String candidate : remaining) {
        boolean ready = true;
        for (String other : remaining) {
          if (!other.equals(candidate) && !java.util.Collections.disjoint(jobs.get(other).publishes,
              jobs.get(candidate).reads)) {
            ready = false;
          }
        }
        if (ready) {
          next = candidate;
          break;
        }
      }
      if (next == null) {
        throw new IllegalStateException("the coordinators' datasets form a cycle among " + remaining);
      }
      ordered.add(next);
      remaining.remove(next);
    }
    return ordered;
  }

  /** The chain as an SVG: one row per job, its inputs on the left, its outputs on the right. */
  public static String svg(Map<String, Job> jobs) {
    List<String> ordered = order(jobs);
    int rowHeight = 34;
    int y = 50;
    StringBuilder body = new StringBuilder();
    for (String name : ordered) {
      Job job = jobs.get(name);
      int rows = Math.max(1, Math.max(job.reads.size(), job.publishes.size()));
      int jobY = y + (rows - 1) * rowHeight / 2;
      body.append(box(330, jobY, 170, "#fdebd0", "#ca6f1e", name));
      int i = 0;
      for (String dataset : job.reads) {
        int dy = y + i++ * rowHeight;
        body.append(box(20, dy, 270, "#d6eaf8", "#2e86c1", dataset));
        body.append(arrow(290, dy + 12, 330, jobY + 12));
      }
      i = 0;
      for (String dataset : job.publishes) {
        int dy = y + i++ * rowHeight;
        body.append(box(540, dy, 290, "#d5f5e3", "#239b56", dataset));
        body.append(arrow(500, jobY + 12, 540, dy + 12));
      }
      y += rows * rowHeight + 22;
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"850\" height=\"" + (y + 10) + "\" font-family=\"sans-serif\""
        + " font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + "<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">"
        + "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n"
        + "<text x=\"20\" y=\"24\" font-size=\"15\">nightjar daily chain (from the coordinators): datasets waited for"
        + " (_SUCCESS) -&gt; job -&gt; datasets published</text>\n" + body + "</svg>\n";
  }

  private static String box(int x, int y, int width, String fill, String stroke, String label) {
    return String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" rx=\"5\" fill=\"%s\" stroke=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y, width, fill, stroke, x + 8, y + 16, label);
  }

  private static String arrow(int x1, int y1, int x2, int y2) {
    return String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" marker-end=\"url(#a)\"/>%n",
        x1, y1, x2, y2);
  }

  public static void main(String[] args) throws Exception {
    Map<String, Job> jobs = read(new File(args[0]));
    Files.write(new File(args[1]).toPath(), svg(jobs).getBytes(StandardCharsets.UTF_8));
    System.out.println("order: " + order(jobs) + "; wrote " + args[1]);
  }
}

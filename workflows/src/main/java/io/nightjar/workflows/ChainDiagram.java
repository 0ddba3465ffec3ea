package io.nightjar.workflows;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The daily chain drawn from the coordinator definitions themselves: each app under {@code workflows/} with a
 * {@code coordinator.xml} is a job, each dataset it waits for ({@code data-in}) or publishes ({@code data-out}) a
 * dataset, named by its uri-template under the root. Writes an SVG (one lane per chain of jobs connected by the
 * datasets they share; datasets left of the jobs that read them, jobs left of what they publish) and lists the jobs in
 * an order that respects the datasets they share.
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
    for (OozieApp app : OozieApp.all(appsFolder)) {
      if (app.hasCoordinator()) {
        Job job = new Job(app.name);
        app.inputs().forEach(uri -> job.reads.add(dataset(uri)));
        app.outputs().forEach(uri -> job.publishes.add(dataset(uri)));
        jobs.put(job.name, job);
      }
    }
    return jobs;
  }

  /** A dataset ("project/name") from its uri-template under the root. */
  private static String dataset(String uriTemplate) {
    return uriTemplate.replace("${nightjarRoot}/", "").replace("/${YEAR}-${MONTH}-${DAY}", "");
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
          if (!other.equals(candidate) && !Collections.disjoint(jobs.get(other).publishes,
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

  /**
   * Jobs connected through the datasets they share, one group per lane, each in {@link #order}; the longest lane
   * first, then by their first job in that order.
   */
  public static List<List<String>> lanes(Map<String, Job> jobs) {
    List<String> ordered = order(jobs);
    List<List<String>> lanes = new ArrayList<>();
    Map<String, Integer> laneOfDataset = new HashMap<>();
    for (String name : ordered) {
      Job job = jobs.get(name);
      Set<Integer> joined = new TreeSet<>();
      for (String dataset : datasets(job)) {
        if (laneOfDataset.containsKey(dataset)) {
          joined.add(laneOfDataset.get(dataset));
        }
      }
      List<String> lane = new ArrayList<>();
      for (int index : joined) {
        lane.addAll(lanes.get(index));
        lanes.set(index, null);
      }
      lane.add(name);
      lanes.add(lane);
      int index = lanes.size() - 1;
      for (String member : lane) {
        for (String dataset : datasets(jobs.get(member))) {
          laneOfDataset.put(dataset, index);
        }
      }
    }
    lanes.removeIf(lane -> lane == null);
    for (List<String> lane : lanes) {
      lane.sort(Comparator.comparingInt(ordered::indexOf));
    }
    lanes.sort(Comparator.<List<String>>comparingInt(lane -> -lane.size())
        .thenComparingInt(lane -> ordered.indexOf(lane.get(0))));
    return lanes;
  }

  private static Set<String> datasets(Job job) {
    Set<String> all = new LinkedHashSet<>(job.reads);
    all.addAll(job.publishes);
    return all;
  }

  /**
   * The chain as an SVG, one lane per group of connected jobs: datasets and jobs in columns by how far down the chain
   * they are (a dataset nobody publishes first, a job right of everything it reads, a dataset right of its job),
   * each dataset drawn once, arrows for every read and publish.
   */
  public static String svg(Map<String, Job> jobs) {
    int columnWidth = 240;
    int rowHeight = 34;
    StringBuilder boxes = new StringBuilder();
    StringBuilder arrows = new StringBuilder();
    int y = 50;
    for (List<String> lane : lanes(jobs)) {
      // Columns: every job after its inputs, every dataset after its publisher.
      Map<String, Integer> column = new LinkedHashMap<>();
      for (String name : lane) {
        for (String dataset : jobs.get(name).reads) {
          column.putIfAbsent("d:" + dataset, 0);
        }
      }
      for (String name : lane) {
        Job job = jobs.get(name);
        int at = 0;
        for (String dataset : job.reads) {
          at = Math.max(at, column.get("d:" + dataset) + 1);
        }
        column.put("j:" + name, at);
        for (String dataset : job.publishes) {
          if (!job.reads.contains(dataset)) {
            column.merge("d:" + dataset, at + 1, Math::max);
          }
        }
      }
      Map<Integer, Integer> rows = new HashMap<>();
      Map<String, int[]> position = new LinkedHashMap<>();
      for (Map.Entry<String, Integer> node : column.entrySet()) {
        int row = rows.merge(node.getValue(), 1, Integer::sum) - 1;
        position.put(node.getKey(), new int[] {20 + node.getValue() * columnWidth, y + row * rowHeight});
      }
      for (Map.Entry<String, int[]> node : position.entrySet()) {
        boolean isJob = node.getKey().startsWith("j:");
        boxes.append(box(node.getValue()[0], node.getValue()[1], columnWidth - 40, isJob ? "#fdebd0" : "#d6eaf8",
            isJob ? "#ca6f1e" : "#2e86c1", node.getKey().substring(2)));
      }
      for (String name : lane) {
        int[] job = position.get("j:" + name);
        for (String dataset : jobs.get(name).reads) {
          int[] from = position.get("d:" + dataset);
          arrows.append(arrow(from[0] + columnWidth - 40, from[1] + 12, job[0], job[1] + 12));
        }
        for (String dataset : jobs.get(name).publishes) {
          int[] to = position.get("d:" + dataset);
          arrows.append(arrow(job[0] + columnWidth - 40, job[1] + 12, to[0], to[1] + 12));
        }
      }
      y += Collections.max(rows.values()) * rowHeight + 28;
    }
    int width = 40 + columnWidth * 5;
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + (y + 10)
        + "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + "<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">"
        + "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n"
        + "<text x=\"20\" y=\"24\" font-size=\"15\">nightjar daily chain (from the coordinators), one lane per connected"
        + " chain: datasets (blue, waited for by _SUCCESS) and jobs (orange)</text>\n" + arrows + boxes + "</svg>\n";
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

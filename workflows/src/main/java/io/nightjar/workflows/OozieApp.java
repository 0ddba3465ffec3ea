package io.nightjar.workflows;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One Oozie app folder under {@code workflows/} read as the code needs it: its workflow's parameters and their
 * defaults, its java actions (tool and arguments), its coordinator's datasets and the ones it waits for and
 * publishes, and its {@code job.properties}. The one reader of the apps' XML for the diagram, the demo and the tests.
 */
public final class OozieApp {

  /** The entry point of the job jar: a java action with it runs the nightjar tool named by its first argument. */
  public static final String NIGHTJAR_MAIN = "io.nightjar.jobs.Main";

  /** A {@code <java>} action of a workflow: its name, main class and {@code <arg>}s in order. */
  public static final class JavaAction {
    public final String name;
    public final String mainClass;
    public final List<String> args;

    JavaAction(String name, String mainClass, List<String> args) {
      this.name = name;
      this.mainClass = mainClass;
      this.args = Collections.unmodifiableList(args);
    }
  }

  public final String name;
  public final File folder;
  private final Document workflow;
  private final Document coordinator;

  private OozieApp(File folder) throws IOException {
    this.name = folder.getName();
    this.folder = folder;
    this.workflow = parse(new File(folder, "workflow.xml"));
    File coordinatorFile = new File(folder, "coordinator.xml");
    this.coordinator = coordinatorFile.exists() ? parse(coordinatorFile) : null;
  }

  /** Every app folder (one with a {@code workflow.xml}) under {@code apps}, by name. */
  public static List<OozieApp> all(File apps) throws IOException {
    File[] folders = apps.listFiles(dir -> new File(dir, "workflow.xml").isFile());
    List<OozieApp> all = new ArrayList<>();
    if (folders != null) {
      Arrays.sort(folders, Comparator.comparing(File::getName));
      for (File folder : folders) {
        all.add(new OozieApp(folder));
      }
    }
    return all;
  }

  /** The app {@code name} under {@code apps}. */
  public static OozieApp of(File apps, String name) throws IOException {
    return new OozieApp(new File(apps, name));
  }

  public Document workflow() {
    return workflow;
  }

  public boolean hasCoordinator() {
    return coordinator != null;
  }

  /** The workflow's {@code <parameters>}, in order: name to default, "" for an empty default, null for none. */
  public Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Element property : elements(workflow, "property")) {
      if (property.getParentNode().getLocalName().equals("parameters")) {
        List<Element> value = elements(property, "value");
        parameters.put(text(elements(property, "name").get(0)), value.isEmpty() ? null : text(value.get(0)));
      }
    }
    return parameters;
  }

  /** The parameters that have a default, with it (e.g. keepDays, compactionWeekday). */
  public Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>(parameters());
    defaults.values().removeIf(value -> value == null);
    return defaults;
  }

  /** The workflow's java actions, in document order. */
  public List<JavaAction> javaActions() {
    List<JavaAction> actions = new ArrayList<>();
    for (Element action : elements(workflow, "action")) {
      for (Element java : elements(action, "java")) {
        List<String> args = new ArrayList<>();
        for (Element arg : elements(java, "arg")) {
          args.add(text(arg));
        }
        actions.add(new JavaAction(action.getAttribute("name"), text(elements(java, "main-class").get(0)), args));
      }
    }
    return actions;
  }

  /** The coordinator's datasets: name to uri-template (empty without a coordinator). */
  public Map<String, String> datasets() {
    Map<String, String> uris = new LinkedHashMap<>();
    if (coordinator != null) {
      for (Element dataset : elements(coordinator, "dataset")) {
        uris.put(dataset.getAttribute("name"), text(elements(dataset, "uri-template").get(0)));
      }
    }
    return uris;
  }

  /** The uri-templates of the datasets the coordinator waits for ({@code data-in} of its input events). */
  public List<String> inputs() {
    return events("data-in");
  }

  /** The uri-templates of the datasets the coordinator publishes ({@code data-out} of its output events). */
  public List<String> outputs() {
    return events("data-out");
  }

  private List<String> events(String tag) {
    List<String> uris = new ArrayList<>();
    if (coordinator != null) {
      Map<String, String> datasets = datasets();
      for (Element event : elements(coordinator, tag)) {
        if (event.getParentNode().getLocalName().endsWith("-events")) {
          uris.add(datasets.get(event.getAttribute("dataset")));
        }
      }
    }
    return uris;
  }

  /** The app's {@code job.properties}. */
  public Properties jobProperties() throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(new File(folder, "job.properties").toPath())) {
      properties.load(reader);
    }
    return properties;
  }

  @Override
  public String toString() {
    return name;
  }

  /** An Oozie XML file, namespace-aware (elements are matched by local name, whatever the schema version). */
  public static Document parse(File file) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      return factory.newDocumentBuilder().parse(file);
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The elements named {@code localName} (any namespace) under {@code node}, in document order. */
  public static List<Element> elements(Node node, String localName) {
    NodeList list = node instanceof Document ? ((Document) node).getElementsByTagNameNS("*", localName)
        : ((Element) node).getElementsByTagNameNS("*", localName);
    List<Element> elements = new ArrayList<>(list.getLength());
    for (int i = 0; i < list.getLength(); i++) {
      elements.add((Element) list.item(i));
    }
    return elements;
  }

  private static String text(Element element) {
    return element.getTextContent().trim();
  }
}

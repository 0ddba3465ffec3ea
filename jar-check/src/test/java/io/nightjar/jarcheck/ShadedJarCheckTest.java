package io.nightjar.jarcheck;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.jarcheck.fixture.Clean;
import io.nightjar.jarcheck.fixture.NamesLibrary;
import io.nightjar.jarcheck.fixture.NamesTestKit;
import io.nightjar.jarcheck.fixture.SerializableLambda;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The check on small jars built from real class files: one finding per defect, none on a clean jar. */
public class ShadedJarCheckTest {

  private static final String OWN = "io/nightjar/";
  private static final String SHADED = "io/nightjar/shaded/";
  /** A relocated library: its presence under the shaded package makes org/example/lib a relocated package. */
  private static final String RELOCATED_CLASS = SHADED + "org/example/lib/Tuple.class";

  @Rule
  public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void aCleanJarPasses() throws IOException {
    File jar = jar(Map.of(RELOCATED_CLASS, classBytes(Clean.class), name(Clean.class), classBytes(Clean.class),
        "META-INF/services/org.apache.hadoop.fs.FileSystem", text("# implementations of org.example.lib.Fs\n"
            + "io.nightjar.shaded.org.example.lib.Fs\n")));
    assertEquals(List.of(), ShadedJarCheck.findings(jar, OWN, SHADED));
  }

  @Test
  public void anUnrelocatedSignatureConstantIsRefused() throws IOException {
    File jar = jar(Map.of(RELOCATED_CLASS, classBytes(Clean.class), name(NamesLibrary.class),
        classBytes(NamesLibrary.class)));
    List<String> findings = ShadedJarCheck.findings(jar, OWN, SHADED);
    assertEquals(findings.toString(), 1, findings.size());
    assertTrue(findings.get(0), findings.get(0).startsWith(name(NamesLibrary.class) + ": names org/example/lib "
        + "unrelocated in constant \"(Lorg/example/lib/Tuple;)Lorg/example/lib/Tuple;\""));
  }

  @Test
  public void aClassNamingTheTestKitIsRefused() throws IOException {
    File jar = jar(Map.of(RELOCATED_CLASS, classBytes(Clean.class), name(NamesTestKit.class),
        classBytes(NamesTestKit.class)));
    List<String> findings = ShadedJarCheck.findings(jar, OWN, SHADED);
    assertEquals(findings.toString(), 1, findings.size());
    assertTrue(findings.get(0), findings.get(0).startsWith(name(NamesTestKit.class) + ": names the test kit "
        + "(io.nightjar.testkit.local.NioLocalFileSystem)"));
  }

  @Test
  public void aSerializableLambdaIsRefused() throws IOException {
    File jar = jar(Map.of(RELOCATED_CLASS, classBytes(Clean.class), name(SerializableLambda.class),
        classBytes(SerializableLambda.class)));
    List<String> findings = ShadedJarCheck.findings(jar, OWN, SHADED);
    assertEquals(findings.toString(), 1, findings.size());
    assertTrue(findings.get(0), findings.get(0).contains("serializable lambda"));
  }

  @Test
  public void servicesFilesAndEntriesAreChecked() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(RELOCATED_CLASS, classBytes(Clean.class));
    entries.put("META-INF/services/org.example.lib.Codec", text("io.nightjar.shaded.org.example.lib.Impl\n"));
    entries.put("META-INF/services/org.apache.hadoop.fs.FileSystem", text("org.example.lib.Fs\n"));
    entries.put("org/example/lib/Left.class", classBytes(Clean.class));
    entries.put(OWN + "jobs/settings.properties", text("codec=org.example.lib.Codec\n"));
    List<String> findings = ShadedJarCheck.findings(jar(entries), OWN, SHADED);
    assertEquals(findings.toString(), 4, findings.size());
  }

  @Test
  public void aJarWithoutShadedClassesIsNotTheShadedJar() throws IOException {
    File jar = jar(Map.of(name(Clean.class), classBytes(Clean.class)));
    assertEquals(List.of("no class under io/nightjar/shaded/: is this the shaded jar?"),
        ShadedJarCheck.findings(jar, OWN, SHADED));
  }

  private File jar(Map<String, byte[]> entries) throws IOException {
    File jar = folder.newFile();
    try (JarOutputStream out = new JarOutputStream(new FileOutputStream(jar))) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey()));
        out.write(entry.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  private static String name(Class<?> type) {
    return type.getName().replace('.', '/') + ".class";
  }

  private static byte[] classBytes(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
      return in.readAllBytes();
    }
  }

  private static byte[] text(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

package io.nightjar.jarcheck;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Checks a finished shaded jar for what relocation leaves behind. maven-shade-plugin rewrites class references, but
 * not every constant that names a class: the signature strings a class's {@code $deserializeLambda$} compares
 * serialized lambdas against stay in their unrelocated form, so such a lambda fails in the tasks ("Invalid lambda
 * deserialization") although every test of the module classes passes. This check fails the build instead:
 * <ul>
 *   <li>a class of the project's own (under {@code ownPackage}, outside {@code shadedPackage}) whose constant pool
 *   names a relocated package in its unrelocated form: descriptors, signatures, string constants
 *   ({@code Class.forName} names, configuration values);</li>
 *   <li>a class of the project's own holding a serializable lambda or method reference (a {@code $deserializeLambda$}
 *   method): the project passes named static classes to pipeline code, never lambdas, so none may ship;</li>
 *   <li>a resource of the project's own, a {@code META-INF/services} file (its name or a line) or any entry path that
 *   names a relocated package in its unrelocated form;</li>
 *   <li>a class outside the test kit whose constant pool names the test kit ({@code io.nightjar.testkit}): the demo
 *   and the tests run the job jar with the test kit beside it, so only this check sees such a reference.</li>
 * </ul>
 * The relocated packages are read from the jar itself: every package with classes under {@code shadedPackage}.
 *
 * <p>Run it right after the shade step: {@code java io.nightjar.jarcheck.ShadedJarCheck <jar> io/nightjar/
 * io/nightjar/shaded/}. It reads only the class files' constant pools, about a second for a 20 MB jar.
 */
public final class ShadedJarCheck {

  private static final String SERVICES = "META-INF/services/";
  /** The test kit's classes (generators, local-mode speed): beside the job jar in tests, never in it. */
  private static final String TEST_KIT = "io/nightjar/testkit/";
  private static final int MAGIC = 0xCAFEBABE;

  private ShadedJarCheck() {
  }

  /** Checks {@code args[0]}, a jar, with own package {@code args[1]} and shaded package {@code args[2]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: ShadedJarCheck <jar> <own package, e.g. io/nightjar/> "
          + "<shaded package, e.g. io/nightjar/shaded/>");
    }
    File jar = new File(args[0]);
    List<String> findings = findings(jar, args[1], args[2]);
    if (!findings.isEmpty()) {
      throw new IllegalStateException(jar.getName() + " would fail at run time: " + findings.size()
          + " unrelocated name(s) or serializable lambda(s) in the project's own classes:\n  "
          + String.join("\n  ", findings));
    }
    System.out.println("[jar-check] " + jar.getName() + ": no class, resource or services file of " + args[1]
        + " names a relocated package unrelocated; no serializable lambda");
  }

  /** What is wrong with {@code jar}, one line each; empty when nothing is. */
  public static List<String> findings(File jar, String ownPackage, String shadedPackage) throws IOException {
    List<String> findings = new ArrayList<>();
    try (JarFile file = new JarFile(jar)) {
      List<String> relocated = relocatedPackages(file, shadedPackage);
      if (relocated.isEmpty()) {
        findings.add("no class under " + shadedPackage + ": is this the shaded jar?");
        return findings;
      }
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        if (entry.isDirectory() || name.startsWith(shadedPackage)) {
          continue;
        }
        for (String pkg : relocated) {
          if (name.startsWith(pkg + "/")) {
            findings.add(name + ": an unrelocated copy in relocated package " + pkg);
          }
        }
        if (name.startsWith(SERVICES)) {
          String text = name.substring(SERVICES.length()) + "\n" + read(file, entry);
          for (String line : text.split("\n")) {
            if (line.trim().startsWith("#")) {
              continue; // a comment
            }
            unrelocated(line.trim(), relocated, shadedPackage)
                .ifPresent(pkg -> findings.add(name + ": names " + pkg + " unrelocated: " + line.trim()));
          }
        } else if (name.startsWith(ownPackage) && name.endsWith(".class")) {
          checkClass(name, file, entry, relocated, shadedPackage, findings);
        } else if (name.startsWith(ownPackage)) {
          String text = read(file, entry);
          unrelocated(text, relocated, shadedPackage)
              .ifPresent(pkg -> findings.add(name + ": a resource naming " + pkg + " unrelocated"));
        }
      }
    }
    return findings;
  }

  private static void checkClass(String name, JarFile file, JarEntry entry, List<String> relocated,
      String shadedPackage, List<String> findings) throws IOException {
    byte[] bytes;
    try (InputStream in = file.getInputStream(entry)) {
      bytes = in.readAllBytes();
    }
    for (String constant : utf8Constants(bytes, name)) {
      if (constant.equals("$deserializeLambda$")) {
        findings.add(name + ": a serializable lambda or method reference ($deserializeLambda$); pass a named static"
            + " class instead");
      }
      unrelocated(constant, relocated, shadedPackage)
          .ifPresent(pkg -> findings.add(name + ": names " + pkg + " unrelocated in constant \"" + constant + "\""));
      boolean namesTestKit = constant.contains(TEST_KIT) || constant.contains(TEST_KIT.replace('/', '.'));
      if (namesTestKit && !name.startsWith(TEST_KIT)) {
        findings.add(name + ": names the test kit (" + constant + "), which no job jar holds: it would load in the "
            + "demo and tests, where the test kit is on the classpath, and fail for users");
      }
    }
  }

  /**
   * The packages relocated into {@code shadedPackage}, in slash form, without those inside another listed package
   * (a prefix match covers them).
   */
  static List<String> relocatedPackages(JarFile file, String shadedPackage) {
    TreeSet<String> packages = new TreeSet<>();
    Enumeration<JarEntry> entries = file.entries();
    while (entries.hasMoreElements()) {
      String name = entries.nextElement().getName();
      if (name.startsWith(shadedPackage) && name.endsWith(".class") && name.lastIndexOf('/') > shadedPackage.length()) {
        packages.add(name.substring(shadedPackage.length(), name.lastIndexOf('/')));
      }
    }
    List<String> roots = new ArrayList<>();
    for (String pkg : packages) {
      if (roots.isEmpty() || !pkg.startsWith(roots.get(roots.size() - 1) + "/")) {
        roots.add(pkg);
      }
    }
    return roots;
  }

  /** The first relocated package {@code text} names outside {@code shadedPackage}, slash or dot form. */
  static java.util.Optional<String> unrelocated(String text, List<String> relocated, String shadedPackage) {
    String shadedDots = shadedPackage.replace('/', '.');
    for (String pkg : relocated) {
      for (String form : new String[] {pkg + "/", pkg.replace('/', '.') + "."}) {
        String shaded = form.indexOf('/') >= 0 ? shadedPackage : shadedDots;
        for (int at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
          if (!insideShadedName(text, at, shaded)) {
            return java.util.Optional.of(pkg);
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Whether position {@code at} lies inside a name that starts with the shaded package: a relocated package nested in
   * another relocated one ({@code io/nightjar/shaded/avro/shaded/com/google/common/}) is relocated too.
   */
  private static boolean insideShadedName(String text, int at, String shaded) {
    int start = text.lastIndexOf(shaded, at - 1);
    if (start < 0) {
      return false;
    }
    for (int i = start; i < at; i++) {
      char c = text.charAt(i);
      if (!Character.isJavaIdentifierPart(c) && c != '/' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** Every CONSTANT_Utf8 of a class file's constant pool (JVMS 4.4). */
  static List<String> utf8Constants(byte[] classFile, String name) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != MAGIC) {
      throw new IOException(name + " is not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    List<String> strings = new ArrayList<>();
    for (int index = 1; index < count; index++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1: // Utf8 (modified UTF-8, as readUTF reads it)
          strings.add(in.readUTF());
          break;
        case 3: case 4: // Integer, Float
        case 9: case 10: case 11: case 12: // Field/Method/InterfaceMethod ref, NameAndType
        case 17: case 18: // Dynamic, InvokeDynamic
          in.skipBytes(4);
          break;
        case 5: case 6: // Long, Double: two slots
          in.skipBytes(8);
          index++;
          break;
        case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
          in.skipBytes(2);
          break;
        case 15: // MethodHandle
          in.skipBytes(3);
          break;
        default:
          throw new IOException(name + ": unknown constant pool tag " + tag + " at entry " + index);
      }
    }
    return strings;
  }

  private static String read(JarFile file, JarEntry entry) throws IOException {
    try (InputStream in = file.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

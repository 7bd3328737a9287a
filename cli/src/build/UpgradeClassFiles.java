import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build step of the cli module (package phase, before make-cds-archive): rewrites, in the shaded
 * jar, every class file older than Java 6 (major version below 50) as a Java 8 class file with its
 * stack map frames, so that the class-data-sharing archive can hold it.
 *
 * <p>Why: picocli ships Java 5 class files. JDK 17 never archives those (they are verified by the
 * old type-inferencing verifier, which CDS does not record: "Skipping picocli/CommandLine: Failed
 * over class verification while dynamic dumping"), so every start of redis-ops read, parsed and
 * verified about 170 picocli classes from the jar: some 70 ms of each command. The bytecode is
 * unchanged; ASM computes the frames the split verifier checks (and the JVM still verifies each
 * class when it loads or archives it). A class ASM cannot rewrite fails the build.
 *
 * <p>Written by hand: no Maven plugin retargets class files of a dependency. Runs as a single source
 * file ({@code java -cp asm.jar UpgradeClassFiles.java JAR}), outside the reactor's sources, since
 * it is a build tool and not part of redis-ops.
 *
 * <p>Usage: {@code UpgradeClassFiles JAR}; the jar is replaced atomically; prints how many classes
 * it rewrote.
 */
public final class UpgradeClassFiles {
  private UpgradeClassFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: UpgradeClassFiles JAR");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    Path out = jar.resolveSibling(jar.getFileName() + ".upgrading");
    int upgraded = 0;
    // the jar's own classes resolve the common super classes ASM asks for (the frames need them)
    try (URLClassLoader loader =
            new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ZipFile zip = new ZipFile(jar.toFile());
        OutputStream file = Files.newOutputStream(out);
        ZipOutputStream zipOut = new ZipOutputStream(file)) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
          bytes = in.readAllBytes();
        }
        if (entry.getName().endsWith(".class") && majorVersion(bytes) < 50) {
          bytes = upgrade(bytes, loader);
          upgraded++;
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        zipOut.putNextEntry(copy);
        zipOut.write(bytes);
        zipOut.closeEntry();
      }
    } catch (IOException | RuntimeException ex) {
      Files.deleteIfExists(out);
      throw ex;
    }
    Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("UpgradeClassFiles: " + upgraded + " class files of " + jar + " now Java 8");
  }

  /** The class file's major version; {@code Integer.MAX_VALUE} when it is not a class file. */
  static int majorVersion(byte[] b) {
    boolean magic =
        b.length > 8
            && (b[0] & 0xff) == 0xca
            && (b[1] & 0xff) == 0xfe
            && (b[2] & 0xff) == 0xba
            && (b[3] & 0xff) == 0xbe;
    return magic ? ((b[6] & 0xff) << 8) | (b[7] & 0xff) : Integer.MAX_VALUE;
  }

  static byte[] upgrade(byte[] bytes, ClassLoader loader) {
    ClassWriter writer =
        new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
          @Override
          protected ClassLoader getClassLoader() {
            return loader;
          }
        };
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9, writer) {
              @Override
              public void visit(
                  int version,
                  int access,
                  String name,
                  String signature,
                  String superName,
                  String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
              }
            },
            ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}

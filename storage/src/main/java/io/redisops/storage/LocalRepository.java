package io.redisops.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A {@link Repository} in a local folder. Objects are files named by their key; folders are created
 * 0700 and files 0600, since a backup holds all the data of a Redis. A write goes to a hidden
 * temporary file in the target folder ({@code .name.part-<random>}), is fsynced, renamed into place
 * and the folder fsynced: a crash leaves either the old state or the new one, plus a temporary file
 * that {@link #cleanupIncomplete} removes.
 */
public final class LocalRepository implements Repository {
  static final String PART_MARK = ".part-";
  private static final Set<PosixFilePermission> DIR_PERMS =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_PERMS =
      PosixFilePermissions.fromString("rw-------");

  private final Path root;

  public LocalRepository(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public String describe() {
    return root.toString();
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.LOCAL_FILES);
  }

  /** The file behind a key (for drivers' tests and for tools that need a path). */
  public Path pathOf(String key) {
    Keys.check(key);
    return root.resolve(key);
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    Path start =
        prefix.isEmpty()
            ? root
            : root.resolve(
                prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : parentOf(prefix));
    if (!isFolder(start)) {
      return List.of();
    }
    List<StoredObject> out = new ArrayList<>();
    walkObjects(
        start,
        (key, attrs) -> {
          if (key.startsWith(prefix)) {
            out.add(new StoredObject(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
          }
          return true;
        });
    out.sort(Comparator.comparing(StoredObject::key));
    return out;
  }

  @Override
  public List<String> folders(String prefix) throws IOException {
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      throw new IllegalArgumentException("a folder prefix ends with '/': " + prefix);
    }
    Path start = prefix.isEmpty() ? root : root.resolve(prefix.substring(0, prefix.length() - 1));
    if (!isFolder(start)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> children = Files.list(start)) {
      for (Path p : (Iterable<Path>) children::iterator) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".") && Files.isDirectory(p) && holdsAnObject(p)) {
          out.add(name);
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Whether a folder holds an object at some depth (stops at the first one found). */
  private boolean holdsAnObject(Path dir) throws IOException {
    boolean[] found = {false};
    walkObjects(
        dir,
        (key, attrs) -> {
          found[0] = true;
          return false;
        });
    return found[0];
  }

  /** What {@link #walkObjects} calls for each object; false stops the walk. */
  @FunctionalInterface
  private interface ObjectVisitor {
    boolean visit(String key, BasicFileAttributes attrs);
  }

  /**
   * Calls {@code visitor} for every object under {@code start}: every entry that is not a folder
   * and whose name does not start with a dot (a writer's temporary file), with the attributes of
   * what a link points to. The one walk behind {@link #list} and {@link #folders}, so that both
   * treat a vanishing entry the same way.
   */
  private void walkObjects(Path start, ObjectVisitor visitor) throws IOException {
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
            // Every entry that is not a folder is an object: a backup whose data file became
            // something else (a pipe an operator streams through, say) is then read and judged by
            // its checksums, not reported as missing.
            if (p.getFileName().toString().startsWith(".")) {
              return FileVisitResult.CONTINUE;
            }
            BasicFileAttributes a = attrs;
            if (attrs.isSymbolicLink()) {
              try {
                a = Files.readAttributes(p, BasicFileAttributes.class); // what the link points to
              } catch (NoSuchFileException e) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                  throw e; // a dangling link: an error, as before
                }
                return FileVisitResult.CONTINUE; // the link itself went meanwhile
              }
              if (a.isDirectory()) {
                return FileVisitResult.CONTINUE;
              }
            }
            return visitor.visit(keyOf(p), a)
                ? FileVisitResult.CONTINUE
                : FileVisitResult.TERMINATE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
            // Gone between the folder's listing and its look at the entry: a writer renamed its
            // temporary file (the archiver seals a segment while a backup's prune lists the
            // archive), or a delete ran. Not an object any more; anything else is an error.
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }

  @Override
  public InputStream read(String key) throws IOException {
    return new SequentialInputStream(Files.newInputStream(pathOf(key)));
  }

  /**
   * A file's stream that never seeks. The channel stream of {@link Files#newInputStream} answers
   * {@code available()} and {@code skip()} with {@code size - position} and a seek, which fail with
   * "Illegal seek" when the object is a pipe or another special file (a decompressor asks {@code
   * available()} at moments that depend on timing); readers here only read forward.
   */
  private static final class SequentialInputStream extends java.io.FilterInputStream {
    SequentialInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int available() {
      return 0;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
      long skipped = 0;
      while (skipped < n) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }
  }

  @Override
  public StoredObject write(String key, BodyWriter body) throws IOException {
    Path target = pathOf(key);
    createDirectories(target.getParent());
    Path temp =
        target.resolveSibling(
            "." + target.getFileName() + PART_MARK + UUID.randomUUID().toString().substring(0, 8));
    boolean done = false;
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(FILE_PERMS))) {
        WritebackOutputStream out = new WritebackOutputStream(Channels.newOutputStream(ch), ch);
        try {
          body.writeTo(new NonClosingOutputStream(out));
        } finally {
          out.finish();
        }
        ch.force(true);
      } catch (IOException e) {
        throw namingThePlace(e, target);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(target.getParent());
      done = true;
      BasicFileAttributes a = Files.readAttributes(target, BasicFileAttributes.class);
      return new StoredObject(key, a.size(), a.lastModifiedTime().toInstant());
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
        removeEmptyParents(target.getParent());
      }
    }
  }

  @Override
  public void delete(String key) throws IOException {
    Path p = pathOf(key);
    Files.deleteIfExists(p);
    removeEmptyParents(p.getParent());
  }

  @Override
  public int cleanupIncomplete(String prefix) throws IOException {
    Path start =
        prefix.isEmpty()
            ? root
            : root.resolve(
                prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : parentOf(prefix));
    if (!isFolder(start)) {
      return 0;
    }
    List<Path> leftovers = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(start)) {
      walk.filter(
              p ->
                  p.getFileName().toString().startsWith(".")
                      && p.getFileName().toString().contains(PART_MARK))
          .forEach(leftovers::add);
    }
    for (Path p : leftovers) {
      Files.deleteIfExists(p);
      removeEmptyParents(p.getParent());
    }
    // and the folders a run killed between making its folder and its first file left empty
    // (the caller holds the lock of what it cleans: no writer is between those two steps now)
    List<Path> empty = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(start)) {
      walk.filter(p -> !p.equals(start) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .sorted(Comparator.reverseOrder())
          .forEach(empty::add);
    } catch (NoSuchFileException e) {
      return leftovers.size(); // the prefix's own folder went with its last leftover
    }
    int folders = 0;
    for (Path dir : empty) {
      try {
        Files.delete(dir);
        folders++;
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        // holds something, or went already
      }
    }
    return leftovers.size() + folders;
  }

  /**
   * Whether {@code dir} is a folder; missing is false, but a folder that cannot be looked into is
   * an error: an unreadable repository must never look empty (a "no backups" answer would be a
   * lie).
   */
  private boolean isFolder(Path dir) throws IOException {
    try {
      return Files.readAttributes(dir, BasicFileAttributes.class).isDirectory();
    } catch (NoSuchFileException e) {
      return false;
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(deniedFolder(dir).toString(), null, "permission denied");
    } catch (java.nio.file.FileSystemException e) {
      if (e.getReason() != null && e.getReason().contains("Not a directory")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The outermost folder on the way from the repository's parent to {@code dir} that this user
   * cannot enter.
   */
  private Path deniedFolder(Path dir) {
    Path start = root.getParent() == null ? root : root.getParent();
    Path p = start;
    for (Path part : start.relativize(dir)) {
      if (Files.isDirectory(p) && !(Files.isReadable(p) && Files.isExecutable(p))) {
        return p;
      }
      p = p.resolve(part);
    }
    return dir;
  }

  /** "No space left on device" alone does not say which disk: name the file and the free space. */
  private static IOException namingThePlace(IOException e, Path target) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
      String free;
      try {
        free = Files.getFileStore(target.getParent()).getUsableSpace() / 1024 + " KiB free";
      } catch (IOException ignored) {
        free = "free space unknown";
      }
      return new IOException(
          "unable to write "
              + target
              + ": "
              + (m.contains("quota") ? "disk quota exceeded" : "no space left on device")
              + " ("
              + free
              + " on its file system); free space there or move the"
              + " repository (--repo / repository.path)",
          e);
    }
    return e;
  }

  private void removeEmptyParents(Path dir) throws IOException {
    while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      }
      dir = dir.getParent();
    }
  }

  private void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.equals(root)) {
      // Folders above the repository are the operator's; only the repository itself is made
      // private.
      if (root.getParent() != null) {
        Files.createDirectories(root.getParent());
      }
    } else if (dir.getParent() != null) {
      createDirectories(dir.getParent());
    }
    FileAttribute<Set<PosixFilePermission>> perms = PosixFilePermissions.asFileAttribute(DIR_PERMS);
    try {
      Files.createDirectory(dir, perms);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(dir.toString(), null, "permission denied");
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    // Without this a crash just after the rename could lose the new directory entry on some file
    // systems.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private String keyOf(Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static String parentOf(String prefix) {
    int slash = prefix.lastIndexOf('/');
    return slash < 0 ? "" : prefix.substring(0, slash);
  }
}

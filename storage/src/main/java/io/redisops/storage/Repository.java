package io.redisops.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * A place that stores objects under slash-separated keys ({@code dataset/backup-id/manifest.json}).
 * It knows nothing of Redis. The local folder and S3 drivers look alike; callers ask {@link
 * #capabilities()} rather than testing the type.
 *
 * <p>Contract shared by all drivers: a key never starts or ends with {@code /} and has no empty,
 * {@code .} or {@code ..} segment; an object is visible to {@link #list} and {@link #read} only
 * once {@link #write} has completed it; I/O failures are reported as {@link IOException} whose
 * message names the object.
 */
public interface Repository extends java.io.Closeable {

  /** What this driver can do beyond the common contract. */
  enum Capability {
    /**
     * Objects are files on this host: file locks work, and a crash leaves temporary files to clean
     * up.
     */
    LOCAL_FILES
  }

  /** Where this repository is, for messages (a folder path or a URI, never a secret). */
  String describe();

  Set<Capability> capabilities();

  /**
   * Every complete object whose key starts with {@code prefix}, sorted by key. A missing prefix
   * gives an empty list; one that exists but cannot be read throws {@link
   * java.nio.file.AccessDeniedException} naming the folder (an unreadable repository must never
   * look empty).
   */
  List<StoredObject> list(String prefix) throws IOException;

  /**
   * The names of the folders directly under {@code prefix} ({@code ""} or ending with {@code /})
   * that hold at least one object, at any depth, sorted; names starting with {@code .} are left
   * out. Unlike {@link #list}, it does not go through what those folders hold (a dataset's archive
   * of thousands of segments): the drivers ask the file system or S3 for one level only.
   */
  default List<String> folders(String prefix) throws IOException {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (StoredObject o : list(prefix)) {
      String rest = o.key().substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash > 0 && !rest.startsWith(".")) {
        names.add(rest.substring(0, slash));
      }
    }
    return List.copyOf(names);
  }

  /**
   * Opens a complete object for reading. A missing object throws {@link
   * java.nio.file.NoSuchFileException}.
   */
  InputStream read(String key) throws IOException;

  /**
   * Writes an object atomically: the body writes the content to the stream it is given (it must not
   * close it); the object appears complete under {@code key} when this method returns, or not at
   * all if the body or the storage fails (an existing object under the key is then left as it was).
   * Content is durable on return.
   */
  StoredObject write(String key, BodyWriter body) throws IOException;

  /**
   * {@link #write(String, BodyWriter)} of a body whose size is known in advance, which lets a
   * driver send it in one request (S3: one streaming {@code PutObject} instead of a multipart
   * upload). A body that writes another number of bytes fails the write: nothing is stored.
   *
   * @param size the exact number of bytes the body writes; negative when unknown
   */
  default StoredObject write(String key, long size, BodyWriter body) throws IOException {
    if (size < 0) {
      return write(key, body);
    }
    return write(
        key,
        out -> {
          long[] count = {0};
          body.writeTo(
              // closing it only flushes: the repository ends the write, not the body
              new NonClosingOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  count[0] += len;
                  if (count[0] > size) {
                    throw new IOException("more than the " + size + " bytes announced for " + key);
                  }
                  out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                  write(new byte[] {(byte) b}, 0, 1);
                }
              });
          if (count[0] != size) {
            // thrown inside the body: nothing is stored
            throw new IOException(
                count[0] + " bytes written to " + key + ", " + size + " announced");
          }
        });
  }

  /** Deletes one object; a missing object is not an error. */
  void delete(String key) throws IOException;

  /**
   * Removes what interrupted writes under {@code prefix} left behind (temporary files, incomplete
   * uploads). Call it only while no write to the same prefix can be running (hold the dataset's
   * lock).
   *
   * @return how many leftovers were removed
   */
  int cleanupIncomplete(String prefix) throws IOException;

  /** Releases the driver's clients and threads (nothing for a local folder). */
  @Override
  default void close() throws IOException {}

  /** Writes an object's content. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(java.io.OutputStream out) throws IOException;
  }
}

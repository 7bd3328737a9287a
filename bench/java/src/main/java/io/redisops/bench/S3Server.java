package io.redisops.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A standalone S3 server for the benchmarks: S3Proxy on 127.0.0.1 with a filesystem blob store, so
 * large objects do not sit in a heap.
 *
 * <p>Usage: {@code S3Server <blob dir> <bucket> <endpoint file>}. Credentials come from the
 * environment ({@code BENCH_S3_ACCESS_KEY}, {@code BENCH_S3_SECRET_KEY}). Once it listens it
 * creates the bucket and writes {@code http://127.0.0.1:PORT} to the endpoint file (the caller
 * waits for that file). It runs until it is terminated (SIGTERM) or its standard input closes, so
 * it never outlives the script that started it.
 */
public final class S3Server {

  private S3Server() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: S3Server <blob dir> <bucket> <endpoint file>");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    BlobStore store = new FilesystemNio2BlobStore(dir.toString());
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(
                AuthenticationType.AWS_V4,
                System.getenv("BENCH_S3_ACCESS_KEY"),
                System.getenv("BENCH_S3_SECRET_KEY"))
            // the SDK's multipart uploads send x-amz-mp-object-size (docs/redis-facts.md,
            // "Libraries and the S3 store")
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    proxy.stop();
                  } catch (Exception e) {
                    // exiting anyway
                  }
                }));
    store.createContainer(args[1]);
    Path endpointFile = Path.of(args[2]);
    Path tmp = endpointFile.resolveSibling(endpointFile.getFileName() + ".tmp");
    Files.writeString(tmp, "http://127.0.0.1:" + proxy.getPort() + "\n");
    Files.move(tmp, endpointFile); // atomically: the caller never reads half a line
    // a parent that dies closes our stdin: exit then rather than linger
    while (System.in.read() >= 0) {
      // discard
    }
    System.exit(0);
  }
}

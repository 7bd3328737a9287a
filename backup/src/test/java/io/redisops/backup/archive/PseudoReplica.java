package io.redisops.backup.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica that is no Redis server, as the archiver is: it connects to a master, sends the given
 * announcement ({@code REPLCONF} lines), {@code REPLCONF capa eof capa psync2}, {@code PSYNC ? -1},
 * reads the RDB, then reads the command stream and acknowledges its offset every 100 ms. It listens
 * on no port. Two threads (reader, acknowledger) end with {@link #close}.
 */
final class PseudoReplica implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Thread reader;
  private final Thread acker;
  private final AtomicLong offset;
  private volatile boolean closed;

  private PseudoReplica(Socket socket, long offset) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.offset = new AtomicLong(offset);
    this.reader = new Thread(this::readStream, "pseudo-replica-reader");
    this.acker = new Thread(this::ack, "pseudo-replica-acker");
  }

  /** Attaches to the master at {@code host:port} and returns once the RDB has been read. */
  static PseudoReplica attach(String host, int port, List<List<String>> announcement)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(15_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      List<List<String>> commands = new ArrayList<>(announcement);
      commands.add(List.of("REPLCONF", "capa", "eof", "capa", "psync2"));
      for (List<String> c : commands) {
        send(out, c);
        String reply = line(in);
        if (!reply.equals("+OK")) {
          throw new IOException(c + " answered " + reply);
        }
      }
      send(out, List.of("PSYNC", "?", "-1"));
      String reply = line(in);
      if (!reply.startsWith("+FULLRESYNC ")) {
        throw new IOException("PSYNC answered " + reply);
      }
      long offset = Long.parseLong(reply.split(" ")[2]);
      skipRdb(in, line(in));
      socket.setSoTimeout(0);
      PseudoReplica r = new PseudoReplica(socket, offset);
      r.reader.start();
      r.acker.start();
      return r;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  long offset() {
    return offset.get();
  }

  /**
   * The RDB: {@code $<length>} and its bytes, or diskless {@code $EOF:<40 bytes>} up to the mark.
   */
  private static void skipRdb(InputStream in, String header) throws IOException {
    if (header.startsWith("$EOF:")) {
      byte[] mark = header.substring(5).getBytes(StandardCharsets.ISO_8859_1);
      byte[] tail = new byte[mark.length];
      long seen = 0;
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the RDB ended early");
        }
        System.arraycopy(tail, 1, tail, 0, tail.length - 1);
        tail[tail.length - 1] = (byte) b;
        seen++;
        if (seen >= mark.length && Arrays.equals(tail, mark)) {
          return;
        }
      }
    }
    long length = Long.parseLong(header.substring(1));
    while (length > 0) {
      long skipped = in.skip(length);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new IOException("the RDB ended early");
        }
        skipped = 1;
      }
      length -= skipped;
    }
  }

  private void readStream() {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        offset.addAndGet(n); // the replication offset counts every byte of the stream
      }
    } catch (IOException e) {
      // closed
    }
  }

  private void ack() {
    try {
      while (!closed) {
        synchronized (out) {
          send(out, List.of("REPLCONF", "ACK", Long.toString(offset.get())));
        }
        Thread.sleep(100);
      }
    } catch (IOException | InterruptedException e) {
      // closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    socket.close();
    acker.interrupt();
    try {
      reader.join(5000);
      acker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One reply line; the blank lines a master sends while it prepares the RDB are skipped. */
  private static String line(InputStream in) throws IOException {
    while (true) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("the master closed the connection");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      if (b.size() > 0) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
  }

  private static void send(OutputStream out, List<String> args) throws IOException {
    StringBuilder b = new StringBuilder().append('*').append(args.size()).append("\r\n");
    for (String a : args) {
      b.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}

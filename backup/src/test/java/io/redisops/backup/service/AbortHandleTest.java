package io.redisops.backup.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Closeable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AbortHandleTest {
  /** Equal to every other one with the same name (a record), closed or not by its own counter. */
  private record Resource(String name, AtomicInteger closes) implements Closeable {
    Resource(String name) {
      this(name, new AtomicInteger());
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Resource r && r.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  @Test
  void detachForgetsThatResourceAndNotAnEqualOne() {
    AbortHandle handle = new AbortHandle();
    Resource first = new Resource("snapshot");
    Resource second = new Resource("snapshot");
    assertThat(first).isEqualTo(second).isNotSameAs(second);
    handle.attach(first);
    handle.attach(second);

    handle.detach(first);
    handle.abort();

    assertThat(first.closes()).as("detached: left alone").hasValue(0);
    assertThat(second.closes()).as("still attached: closed by the abort").hasValue(1);
  }

  @Test
  void aResourceAttachedAfterTheAbortIsClosedAtOnce() {
    AbortHandle handle = new AbortHandle();
    handle.abort();
    Resource late = new Resource("late");

    handle.attach(late);

    assertThat(handle.aborted()).isTrue();
    assertThat(late.closes()).hasValue(1);
  }
}

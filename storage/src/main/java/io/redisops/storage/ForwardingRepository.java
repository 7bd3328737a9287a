package io.redisops.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * A repository that forwards every call to another one: the base of a repository that changes one
 * behaviour (a fault injected in a test, a hook around a listing) and keeps the rest.
 */
public abstract class ForwardingRepository implements Repository {
  private final Repository delegate;

  protected ForwardingRepository(Repository delegate) {
    this.delegate = delegate;
  }

  protected Repository delegate() {
    return delegate;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public List<StoredObject> list(String prefix) throws IOException {
    return delegate.list(prefix);
  }

  @Override
  public List<String> folders(String prefix) throws IOException {
    return delegate.folders(prefix);
  }

  @Override
  public InputStream read(String key) throws IOException {
    return delegate.read(key);
  }

  @Override
  public StoredObject write(String key, BodyWriter body) throws IOException {
    return delegate.write(key, body);
  }

  @Override
  public void delete(String key) throws IOException {
    delegate.delete(key);
  }

  @Override
  public int cleanupIncomplete(String prefix) throws IOException {
    return delegate.cleanupIncomplete(prefix);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}

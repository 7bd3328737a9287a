package io.redisops.storage;

class InMemoryRepositoryContractTest extends RepositoryContract {
  @Override
  protected Repository repository() {
    return new InMemoryRepository();
  }
}

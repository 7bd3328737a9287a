package io.redisops.storage.s3;

/**
 * The repository contract on the S3 driver with {@code offsite.checksum: md5}: a single PUT without
 * a trailing checksum, its stored ETag compared with the MD5 of the bytes sent.
 */
class S3RepositoryMd5ContractIT extends S3RepositoryContractIT {
  @Override
  protected boolean trailingChecksum() {
    return false;
  }
}

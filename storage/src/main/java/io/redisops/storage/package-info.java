/**
 * The backup repository: the {@link io.redisops.storage.Repository} contract (objects under
 * slash-separated keys, atomic writes, listings that never hide an unreadable folder) and the
 * local-folder driver. It knows nothing of Redis, manifests or backups; it only stores bytes.
 */
package io.redisops.storage;

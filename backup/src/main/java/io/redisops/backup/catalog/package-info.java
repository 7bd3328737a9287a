/**
 * The backup catalog: manifests (what a backup holds and how it was verified), tiers, and the
 * listing of a dataset's backups in a repository.
 */
package io.redisops.backup.catalog;

/**
 * The backup services the commands and the daemon call: take a backup, verify, fetch, push to and
 * from offsite, prune, import; each holds the dataset's lock while it writes.
 */
package io.redisops.backup.service;

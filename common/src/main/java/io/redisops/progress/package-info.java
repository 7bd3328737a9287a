/**
 * Progress of long operations (backups, uploads, verification, restores) reported through one
 * listener interface; the command line draws it as a bar on a terminal, the daemon logs it. Nothing
 * here knows what is being copied.
 */
package io.redisops.progress;

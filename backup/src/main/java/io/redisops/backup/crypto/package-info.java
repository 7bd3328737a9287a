/**
 * Encryption of backup files: AES-GCM in streamed chunks, keys from files or the environment; a
 * wrong key or a changed byte fails with a message, never with a partial plaintext.
 */
package io.redisops.backup.crypto;

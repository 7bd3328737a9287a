/**
 * Values as people type and read them: durations ({@code 90m}, {@code 7d}), byte sizes ({@code 1.5
 * GiB}) and hex digests. Parsing errors name the value and the expected form, in one message style.
 */
package io.redisops.text;

/**
 * {@code redis-ops check}: is the whole setup right? {@link
 * io.redisops.schedules.check.CheckService} runs small rules ({@link
 * io.redisops.schedules.check.SetupCheck}), each judging one part of the setup PASS, WARN or FAIL
 * with a one-line reason and what to do.
 */
package io.redisops.schedules.check;

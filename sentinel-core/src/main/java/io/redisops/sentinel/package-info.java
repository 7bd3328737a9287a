/**
 * The Sentinel core: the group's topology as the sentinels see it, their events, the deployment
 * rules ({@code sentinel check}) and failover control. The daemon and the commands ask it which
 * server is the master now.
 */
package io.redisops.sentinel;

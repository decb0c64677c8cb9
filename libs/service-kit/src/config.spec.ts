import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_URLS, baseEnvSchema, envVar, loadConfig } from './config';

const schema = baseEnvSchema.extend({
  PORT: envVar.port(3001),
  DATABASE_URL: envVar.postgresUrl(DEV_URLS.DATABASE_URL),
  REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
});

describe('loadConfig', () => {
  it('fills every unset variable with the demo default', () => {
    expect(loadConfig(schema, {})).toEqual({
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: 10,
      PORT: 3001,
      DATABASE_URL: DEV_URLS.DATABASE_URL,
      REDIS_URL: DEV_URLS.REDIS_URL,
    });
  });

  it('coerces numbers and accepts both postgres URL schemes', () => {
    const config = loadConfig(schema, { PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/core' });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe('postgres://u:p@db:5432/core');
  });

  it.each([
    ['DATABASE_URL', 'not a url', 'DATABASE_URL must be a postgresql://user@host:port/database URL'],
    ['DATABASE_URL', 'redis://host:6379/0', 'DATABASE_URL must be a postgresql://'],
    ['DATABASE_URL', 'postgresql://host:5432', 'DATABASE_URL must be a postgresql://'],
    ['REDIS_URL', 'http://host', 'REDIS_URL must be a redis://host:port URL'],
    ['PORT', '70000', 'PORT '],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL '],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig(schema, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { [name]: value })).toThrow(message);
  });

  it('reads Redis Cluster seed nodes, and names a bad list in one line', () => {
    const cluster = baseEnvSchema.extend({ REDIS_CLUSTER_NODES: envVar.redisClusterNodes() });
    expect(loadConfig(cluster, {}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(loadConfig(cluster, { REDIS_CLUSTER_NODES: '' }).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(
      loadConfig(cluster, { REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.2:7000' }).REDIS_CLUSTER_NODES,
    ).toEqual([
      { host: 'redis-0', port: 6379 },
      { host: '10.0.0.2', port: 7000 },
    ]);
    for (const bad of ['redis-0', 'redis-0:6379,', 'redis://redis-0:6379', 'redis-0:99999'])
      expect(() => loadConfig(cluster, { REDIS_CLUSTER_NODES: bad })).toThrow(
        /^invalid configuration: REDIS_CLUSTER_NODES must be a comma-separated list of host:port seed nodes$/,
      );
  });

  it('names every bad variable in one line and never echoes a value', () => {
    const secret = 'postgres//admin:hunter2@db';
    try {
      loadConfig(schema, { DATABASE_URL: secret, REDIS_URL: 'nope' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^invalid configuration: DATABASE_URL .*; REDIS_URL /);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('\n');
    }
  });
});

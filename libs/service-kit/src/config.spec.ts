import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_URLS, baseEnvSchema, envVar, loadConfig, withDemoSecrets } from './config';

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
      DEMO_MODE: false,
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

  describe('secrets', () => {
    const secrets = withDemoSecrets(
      baseEnvSchema.extend({
        API_KEY: envVar.secret(),
        SIGNING_SECRET: envVar.secret(),
        SIGNING_KEYS_URL: envVar.optionalHttpUrl(),
      }),
      {
        API_KEY: 'demo-api-key-of-16-chars',
        SIGNING_SECRET: { demoValue: 'demo-signing-secret', or: 'SIGNING_KEYS_URL' },
      },
    );

    it.each(['1', 'true', 'on', 'yes', 'YES'])('take their demo values with DEMO_MODE=%s', (demoMode) => {
      expect(loadConfig(secrets, { DEMO_MODE: demoMode })).toMatchObject({
        DEMO_MODE: true,
        API_KEY: 'demo-api-key-of-16-chars',
        SIGNING_SECRET: 'demo-signing-secret',
      });
    });

    it.each([undefined, '', '0', 'off'])(
      'must all be set outside demo mode (DEMO_MODE=%s), named in one line',
      (demoMode) => {
        expect(() => loadConfig(secrets, { DEMO_MODE: demoMode })).toThrow(
          /^invalid configuration: API_KEY must be set outside demo mode; SIGNING_SECRET \(or SIGNING_KEYS_URL\) must be set outside demo mode$/,
        );
      },
    );

    it('are taken as set, in demo mode or not; a set alternative stands for its secret', () => {
      const set = { API_KEY: 'a-real-api-key-0123', SIGNING_KEYS_URL: 'https://idp.example/jwks.json' };
      for (const DEMO_MODE of ['0', '1']) {
        const config = loadConfig(secrets, { ...set, DEMO_MODE });
        expect(config).toMatchObject(set);
        expect(config.SIGNING_SECRET).toBeUndefined();
      }
    });

    it('refuses a DEMO_MODE that is neither on nor off', () => {
      expect(() => loadConfig(secrets, { DEMO_MODE: 'maybe' })).toThrow(
        /^invalid configuration: DEMO_MODE must be 1\/true\/on\/yes or 0\/false\/off\/no/,
      );
    });
  });
});

// `npm run dead-letters -- <list|show ID|replay ID|replay-all> [--shard n]`: the widget events the
// ingester moved to the dead-letter streams (REDIS_URL or REDIS_CLUSTER_NODES, WIDGET_STREAM_SHARDS;
// demo defaults).
import { z } from 'zod';
import {
  DEV_URLS,
  createRedisClient,
  durableRedisEndpoint,
  envVar,
  loadConfig,
  type RedisClient,
} from '@hwp/service-kit';
import { allShards, deadLetterKey, streamKey } from '@hwp/widget-events';
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { storeUnreachable } from '../lib/store-unreachable';
import {
  describeDeadLetter,
  findDeadLetters,
  type DeadLetter,
  listDeadLetters,
  replayDeadLetters,
  replayShard,
} from './dead-letters';

const USAGE = `
usage: npm run dead-letters -- <list|show ID|replay ID|replay-all> [--shard n]

The widget events the ingester could not apply (invalid, or not acknowledged after MAX_DELIVERIES
deliveries), kept in one dead-letter stream per shard of the durable Redis (REDIS_URL or
REDIS_CLUSTER_NODES, WIDGET_STREAM_SHARDS; by default the demo's, started by npm run demo or
npm run services -- up).

commands:
  list          how many dead letters each shard holds, and the first few
  show ID       one dead letter as JSON
  replay ID     put it back on its widget stream (the ingester applies it again)
  replay-all    put every dead letter back, shard by shard, with progress
options:
  --shard n     only this shard (0..WIDGET_STREAM_SHARDS-1)
  -h, --help    this text
`;
const log = logger('dead-letters');

class UsageError extends Error {}
const COMMANDS = ['list', 'show', 'replay', 'replay-all'];

async function main() {
  const { positionals, values } = commandLine({
    usage: USAGE,
    options: { shard: { type: 'string' } },
    allowPositionals: true,
  });
  const [command, id] = positionals;
  if (!COMMANDS.includes(command ?? ''))
    throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  // The same variables and defaults as the ingester's config.
  const config = loadConfig(
    z.object({
      REDIS_URL: envVar.redisUrl(DEV_URLS.REDIS_URL),
      REDIS_CLUSTER_NODES: envVar.redisClusterNodes(),
      WIDGET_STREAM_SHARDS: envVar.streamShards(),
    }),
  );
  const all = allShards(config.WIDGET_STREAM_SHARDS);
  const shards = values.shard === undefined ? all : [Number(values.shard)];
  if (!shards.every((shard) => all.includes(shard)))
    throw new UsageError(`--shard must be 0..${all.length - 1}`);
  const redis = createRedisClient(durableRedisEndpoint(config), {
    connectionName: 'deadLetters',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The failed connect below reports the client's error once, in one line.
  let clientError: Error | undefined;
  redis.on('error', (error: Error) => (clientError = error));
  await redis.connect().catch((error: Error) => {
    const variable = process.env['REDIS_CLUSTER_NODES'] ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
    throw storeUnreachable({
      store: 'the durable Redis',
      variable,
      given: Boolean(process.env[variable]),
      cause: (clientError ?? error).message,
    });
  });
  try {
    switch (command) {
      case 'list':
        for (const { shard, count, first } of await listDeadLetters(redis, shards)) {
          log(
            `${deadLetterKey(shard)}: ${count} dead letters${count > first.length ? `, the first ${first.length}:` : ''}`,
          );
          for (const letter of first) log(`  ${describeDeadLetter(letter)}`);
        }
        break;
      case 'show': {
        const letter = await theDeadLetter(redis, shards, id);
        process.stdout.write(`${JSON.stringify(letter, null, 2)}\n`);
        break;
      }
      case 'replay': {
        const letter = await theDeadLetter(redis, shards, id);
        const [newId] = await replayDeadLetters(redis, [letter]);
        log(`replayed ${letter.id} to ${streamKey(letter.shard)} as ${newId}`);
        break;
      }
      case 'replay-all':
        for (const shard of shards) {
          const replayed = await replayShard(redis, shard, (done, total) => {
            log(`${deadLetterKey(shard)}: replayed ${done}/${total}`);
          });
          log(`${deadLetterKey(shard)}: ${replayed} replayed to ${streamKey(shard)}`);
        }
        break;
    }
  } finally {
    redis.disconnect();
  }
}

async function theDeadLetter(
  redis: RedisClient,
  shards: number[],
  id: string | undefined,
): Promise<DeadLetter> {
  if (!id) throw new UsageError('the command needs a dead letter ID (see list)');
  const found = await findDeadLetters(redis, shards, id);
  const [letter, ...others] = found;
  if (!letter) throw new Error(`no dead letter ${id}`);
  if (others.length)
    throw new UsageError(`${id} is in shards ${found.map(({ shard }) => shard).join(', ')}: add --shard`);
  return letter;
}

main().catch((error: Error) => {
  if (error instanceof UsageError) usageError(error.message, USAGE);
  log(`failed: ${error.message}`);
  process.exit(1);
});

// `npm run services -- up|down|status`: the demo's Postgres and Redis instances, on their own.
import { commandLine, usageError } from '../lib/command-line';
import { logger } from '../lib/log';
import { setUp } from '../lib/setup';
import { servicesDown, servicesStatus, servicesUp } from './services';

const USAGE = `
usage: npm run services -- [up|down|status]

The demo's data stores on their own: Postgres (127.0.0.1:55432) and the durable and cache Redis
(56379, 56380), private instances under .data/. Other commands (npm run migrate, npm run dead-letters,
the apps started by hand) use them.

commands:
  up          start them, or re-attach to running ones (the default); prints the apps' settings
  down        stop them (by PID)
  status      which are running
options:
  -h, --help  this text
`;

const log = logger('services');

async function main() {
  const { positionals } = commandLine({ usage: USAGE, allowPositionals: true });
  if (positionals.length > 1) usageError(`one command at a time, not "${positionals.join(' ')}"`, USAGE);
  const command = positionals[0] ?? 'up';
  switch (command) {
    case 'up': {
      await setUp(log, ['postgres', 'redis']);
      const { env } = await servicesUp(log);
      log('ready; the apps read these settings:');
      for (const [name, value] of Object.entries(env)) process.stdout.write(`export ${name}=${value}\n`);
      break;
    }
    case 'down':
      await servicesDown(log);
      break;
    case 'status':
      for (const [name, pid] of Object.entries(servicesStatus()))
        log(`${name}: ${pid ? `running (pid ${pid})` : 'stopped'}`);
      break;
    default:
      usageError(`unknown command "${command}"`, USAGE);
  }
}

main().catch((error: Error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});

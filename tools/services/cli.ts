// `npm run services -- up|down|status`: the demo's Postgres and Redis instances, on their own.
import { logger } from '../lib/log';
import { setUp } from '../lib/setup';
import { servicesDown, servicesStatus, servicesUp } from './services';

const log = logger('services');
const command = process.argv[2] ?? 'up';

async function main() {
  switch (command) {
    case 'up': {
      await setUp(log, { forTests: false });
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
      log(`unknown command "${command}"; use up, down or status`);
      process.exit(2);
  }
}

main().catch((error: Error) => {
  log(`failed: ${error.message}`);
  process.exit(1);
});

import { describe, expect, it } from 'vitest';
import { createLogger, NestPinoLogger } from './logging';
import { collectLogLines as collect } from './test-log-lines';

describe('NestPinoLogger', () => {
  it("writes Nest's log calls as pino lines with their context, errors with their stack", () => {
    const { lines, stream } = collect();
    const logger = new NestPinoLogger(createLogger('test', 'debug', stream));
    logger.log('started', 'Bootstrap');
    logger.warn({ lagMs: 12 }, 'Consumer');
    logger.error('failed', 'Error: failed\n    at here', 'Consumer');
    logger.verbose('not at debug', 'Consumer');
    expect(
      lines.map(({ level, msg, context, lagMs, stack }) => ({ level, msg, context, lagMs, stack })),
    ).toEqual([
      { level: 30, msg: 'started', context: 'Bootstrap', lagMs: undefined, stack: undefined },
      { level: 40, msg: undefined, context: 'Consumer', lagMs: 12, stack: undefined },
      {
        level: 50,
        msg: 'failed',
        context: 'Consumer',
        lagMs: undefined,
        stack: 'Error: failed\n    at here',
      },
    ]);
  });
});

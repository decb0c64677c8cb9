import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { z } from 'zod';
import { createServiceApp } from './bootstrap';

/** For this library's specs: an app built as every service is, around `module`, on a free loopback port. */
export async function listenTestServiceApp(
  name: string,
  module: DynamicModule,
  bodyLimitBytes?: number,
): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createServiceApp(
    {
      name,
      description: 'test',
      configSchema: z.object({ LOG_LEVEL: z.string() }),
      module: () => module,
      bodyLimitBytes: bodyLimitBytes === undefined ? undefined : () => bodyLimitBytes,
    },
    { LOG_LEVEL: 'silent' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: await app.getUrl() };
}

import { Controller, Get, Module, Param, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemDetailsFilter } from './problem-details.filter';
import { listenTestServiceApp } from './test-service-app';

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }

  @Post()
  add() {
    return { added: true };
  }
}

@Module({
  controllers: [ThingsController],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
class TestModule {}

describe('a request no route matched', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listenTestServiceApp('route-methods-test', { module: TestModule }));
  });
  afterAll(() => app.close());

  it('is 405 problem+json naming the methods its path takes, when another method has the path', async () => {
    const response = await fetch(`${url}/things/7?x=1`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      status: 405,
      title: 'Method not allowed',
      instance: '/things/7?x=1',
    });
    expect((await fetch(`${url}/things`, { method: 'PUT' })).headers.get('allow')).toBe('POST');
  });

  it('is 404 problem+json when no route has its path', async () => {
    const response = await fetch(`${url}/things/7/parts`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not found' });
  });
});

import { Controller, Get, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontDoor, isPath } from './front-door';
import { listenTestServiceApp } from './test-service-app';

@Controller()
class GreetingController {
  @Get('greeting')
  greeting() {
    return { from: 'nest' };
  }
}

/** Answers /hot at the front door, refuses /blocked there, and hands everything else on. */
@Injectable()
class HotRoute implements OnModuleInit {
  constructor(private readonly frontDoor: FrontDoor) {}

  onModuleInit() {
    this.frontDoor.use((request, response) => {
      if (isPath(request.url!, '/hot')) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('from the front door');
        return true;
      }
      if (request.url === '/blocked') {
        response.writeHead(429).end();
        return true;
      }
      response.setHeader('x-seen-at-the-front-door', 'yes');
      return false;
    });
  }
}

@Module({ controllers: [GreetingController], providers: [HotRoute] })
class TestModule {}

describe('FrontDoor', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listenTestServiceApp('front-door-test', { module: TestModule }));
  });
  afterAll(() => app.close());

  it('answers its route before Fastify and Nest, query string included', async () => {
    for (const path of ['/hot', '/hot?x=1']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('from the front door');
    }
  });

  it('hands every other request on to Nest, with the headers the front door set', async () => {
    const response = await fetch(`${url}/greeting`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: 'nest' });
    expect(response.headers.get('x-seen-at-the-front-door')).toBe('yes');
    expect((await fetch(`${url}/hotter`)).status).toBe(404);
  });

  it('can refuse a request before Nest sees it', async () => {
    expect((await fetch(`${url}/blocked`)).status).toBe(429);
  });

  it('takes one handler only', () => {
    expect(() => app.get(FrontDoor).use(() => false)).toThrow(/has a handler already/);
  });
});

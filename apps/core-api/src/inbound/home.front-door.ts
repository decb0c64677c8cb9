import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FrontDoor, isPath } from '@hwp/service-kit';
import { HOME_PATH } from './home.controller';
import { HomeRequestHandler } from './home.http-handler';
import { RequestGate } from './request-gate';

/**
 * core-api's front door (libs/service-kit's FrontDoor, ahead of Fastify): RequestGate for every request,
 * then GET /v1/home answered right there, so that the hot route costs about what it costs on a bare
 * node:http server (measured with tools/bench). The path is compared as sent; any other spelling that
 * Fastify routes to HomeController, and HEAD, are served there by the same handler.
 */
@Injectable()
export class HomeFrontDoor implements OnModuleInit {
  constructor(
    private readonly frontDoor: FrontDoor,
    private readonly gate: RequestGate,
    private readonly home: HomeRequestHandler,
  ) {}

  onModuleInit(): void {
    this.frontDoor.use((request, response) => {
      const now = Date.now();
      if (!this.gate.admit(request, response, now)) return true;
      if (request.method !== 'GET' || !isPath(request.url!, HOME_PATH)) return false;
      this.home.handle(request, response, now);
      return true;
    });
  }
}

import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { HOME_PATH } from './home.controller';
import { HomeRequestHandler } from './home.http-handler';

const isHomePath = (url: string) =>
  url.startsWith(HOME_PATH) && (url.length === HOME_PATH.length || url[HOME_PATH.length] === '?');

/**
 * Serves GET /v1/home from the first onRequest hook of the Fastify instance (the Nest adapter's own,
 * which runs before the middleware; FirstRequestHook chains this after RequestGate): the hot route skips
 * Nest's per-request pipeline and the pino-http middleware (a child logger, a log line and an
 * AsyncLocalStorage scope per request), measured with tools/bench/home-warm.ts. The path is compared as
 * sent (request.routeOptions builds an object per call); any other spelling that Fastify routes here, and
 * HEAD, go on to HomeController, which documents the route and serves it with the same handler.
 */
@Injectable()
export class HomeFastRoute {
  constructor(private readonly handler: HomeRequestHandler) {}

  route(request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction): void {
    if (request.method === 'GET' && isHomePath(request.raw.url!)) this.handler.handle(request, reply);
    else next();
  }
}

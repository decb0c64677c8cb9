import { performance } from 'node:perf_hooks';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FrontDoor, RequestRecorder, isPath } from '@hwp/service-kit';
import { HOME_PATH } from './home.controller';
import { HomeRequestHandler } from './home.http-handler';
import { HttpEdge } from './http-edge';

/**
 * Where HttpEdge meets requests. GET /v1/home is answered at the front door (libs/service-kit's
 * FrontDoor, ahead of Fastify), so that the hot route costs about what it costs on a bare node:http
 * server (measured with tools/bench): `admit`, the home handler, and the request recorded by service-kit's
 * RequestRecorder as Fastify's onResponse hook records every other request. Every other request gets
 * `admit` from a Fastify onRequest hook, before routing's handlers and body parsing. The path is compared
 * as sent; any other spelling that Fastify routes to HomeController, and HEAD, are served there by the
 * same handler.
 */
@Injectable()
export class EdgeEntryPoints implements OnModuleInit {
  constructor(
    private readonly frontDoor: FrontDoor,
    private readonly adapter: HttpAdapterHost,
    private readonly recorder: RequestRecorder,
    private readonly edge: HttpEdge,
    private readonly home: HomeRequestHandler,
  ) {}

  onModuleInit(): void {
    const series = this.recorder.series('GET', HOME_PATH);
    this.frontDoor.use((request, response) => {
      if (request.method !== 'GET' || !isPath(request.url!, HOME_PATH)) return false;
      const startedAt = performance.now();
      const now = Date.now();
      if (this.edge.admit(request, response, now)) this.home.handle(request, response, now);
      this.recorder.answered(series, request, response, startedAt);
      return true;
    });
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      // Answered by the edge (a 429, a preflight): Fastify goes no further; its onResponse still records it.
      if (this.edge.admit(request.raw, reply.raw)) done();
      else reply.hijack();
    });
  }
}

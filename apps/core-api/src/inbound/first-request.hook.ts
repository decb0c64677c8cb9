import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { HomeFastRoute } from './home.fast-route';
import { RequestGate } from './request-gate';

/**
 * Owns the Fastify adapter's first onRequest hook (one slot: `setOnRequestHook` replaces what was there),
 * and chains what must run in it: RequestGate for every request, then HomeFastRoute, then the rest of
 * Fastify and Nest.
 */
@Injectable()
export class FirstRequestHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly gate: RequestGate,
    private readonly home: HomeFastRoute,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as FastifyAdapter;
    adapter.setOnRequestHook((request, reply, done) => {
      if (this.gate.admit(request, reply)) this.home.route(request, reply, done);
    });
  }
}

import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { tooManyRequests, type PipelineTracer } from '@hwp/service-kit';
import {
  LiveScreens,
  type LiveScreenLimits,
  type OpenScreen,
  type ScreenContents,
  type WidgetChange,
} from '../domain/live-screens';
import type { InvalidationSubscriber } from './invalidation.subscriber';

export const WIDGET_CHANGED_EVENT = 'widget-changed';
export const HOME_CHANGED_EVENT = 'home-changed';

// A client that stops reading is dropped rather than buffered for without bound.
const MAX_BUFFERED_BYTES = 64 * 1024;
// How long a browser's EventSource waits before it reconnects after a drop.
const RECONNECT_MS = 2_000;
const FULL_RETRY_AFTER_SECONDS = 10;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // Tells nginx-like proxies not to buffer the stream.
  'x-accel-buffering': 'no',
};

export interface LiveUpdateMetrics {
  eventsSent(count: number): void;
  refused(limit: 'user' | 'instance'): void;
}

/** One open screen as a Server-Sent Events response. */
class EventStreamScreen implements OpenScreen {
  constructor(private readonly response: ServerResponse) {}

  widgetChanged(change: WidgetChange): void {
    this.write(`event: ${WIDGET_CHANGED_EVENT}\ndata: ${JSON.stringify(change)}\n\n`);
  }

  homeChanged(): void {
    this.write(`event: ${HOME_CHANGED_EVENT}\ndata: {}\n\n`);
  }

  heartbeat(): void {
    this.write(': heartbeat\n\n');
  }

  end(): void {
    this.response.end();
  }

  private write(chunk: string): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    if (this.response.writableLength > MAX_BUFFERED_BYTES) this.response.destroy();
    else this.response.write(chunk);
  }
}

/**
 * The Server-Sent Events side of live updates: opens streams (within LiveScreens' limits), relays the
 * invalidations the subscriber has applied, sends heartbeats on one timer for all streams, and ends every
 * stream at shutdown (an open stream would otherwise hold the server's close).
 */
export class LiveUpdateStreams implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly screens: LiveScreens<EventStreamScreen>;
  private heartbeats?: NodeJS.Timeout;

  constructor(
    limits: LiveScreenLimits,
    contents: ScreenContents,
    private readonly invalidations: InvalidationSubscriber,
    private readonly metrics: LiveUpdateMetrics,
    private readonly heartbeatMs: number,
    private readonly tracer: PipelineTracer,
  ) {
    this.screens = new LiveScreens(limits, contents);
  }

  /** Open streams on this instance. */
  get size(): number {
    return this.screens.size;
  }

  onApplicationBootstrap(): void {
    this.invalidations.onApplied((invalidation) => {
      if (invalidation === undefined) this.screens.announceAll();
      else
        // The last span of a traced change: the widget-changed events to the open screens it concerns.
        this.tracer.continue(
          'send live updates',
          { role: 'producer', attributes: { 'hwp.product_id': invalidation.productId } },
          invalidation.traceparent,
          () => this.metrics.eventsSent(this.screens.announce(invalidation)),
        );
    });
    this.heartbeats = setInterval(() => {
      for (const screen of this.screens.screens()) screen.heartbeat();
    }, this.heartbeatMs).unref();
  }

  /** Answers with an event stream for `userId`, or throws a 429 problem when a limit is reached. */
  open(userId: string, reply: FastifyReply): void {
    const response = reply.raw;
    if (reply.request.method === 'HEAD') {
      // The stream's headers and no stream: a HEAD response has no body, so one left open never ends.
      reply.hijack();
      response.writeHead(200, SSE_HEADERS).end();
      return;
    }
    const opening = this.screens.add(userId, new EventStreamScreen(response));
    if (!opening.ok) {
      this.metrics.refused(opening.limit);
      throw tooManyRequests(
        FULL_RETRY_AFTER_SECONDS,
        opening.limit === 'user'
          ? 'This user has too many open live-update streams.'
          : 'This instance has too many open live-update streams.',
      );
    }
    reply.hijack();
    response.once('close', opening.close);
    // The client may have gone while it was being authenticated: then 'close' has already been emitted.
    if (response.socket === null || response.socket.destroyed) return opening.close();
    response.writeHead(200, SSE_HEADERS);
    response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeats);
    for (const screen of this.screens.screens()) screen.end();
  }
}

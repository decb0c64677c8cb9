import { HttpStatus, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import { ProblemException } from '@hwp/service-kit';
import { clientProfile, type ClientProfileResult } from '../domain/client-profile';
import type { HomeRead, ReadHomeScreen, RenderedHome } from '../domain/read-home.use-case';
import type { HttpEdge } from './http-edge';
import { compressBody, etagMatches, preferredEncoding, type ContentEncoding } from './http-encoding';

/** Response header saying that part of the screen is the last known good copy (a cache level failed). */
export const STALE_HEADER = 'x-hwp-stale';
export const VARY = 'Accept-Encoding, Authorization, Origin, X-Sdui-Version, X-Sdui-Components';

interface PreparedResponse {
  headers: Record<string, string>;
  body?: Buffer;
}

interface PreparedResponses {
  identity: PreparedResponse;
  notModified: PreparedResponse;
  /** Undefined for a body below the compression threshold; else the encodings asked for so far. */
  compressed?: Partial<Record<ContentEncoding, PreparedResponse>>;
}

const common = ({ etag }: RenderedHome) => ({ etag, 'cache-control': 'private, no-cache', vary: VARY });

const json = (
  body: Buffer,
  headers: Record<string, string>,
  encoding?: ContentEncoding,
): PreparedResponse => ({
  body,
  headers: {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    ...(encoding === undefined ? {} : { 'content-encoding': encoding }),
  },
});

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

/**
 * GET /v1/home over HTTP: the user and the per-user limit (HttpEdge, as every user route), client
 * profile, conditional request and content encoding around ReadHomeScreen, on Node's own request and
 * response. Refusals are the edge's problem+json: this handler runs at the front door, outside Nest's
 * exception filters.
 */
export class HomeRequestHandler {
  private readonly logger = new Logger(HomeRequestHandler.name);
  // Clients of one app build send the same capability headers: parse each distinct pair once.
  private readonly profiles = new LRUCache<string, ClientProfileResult>({ max: 1_000 });
  // Responses prepared per rendering; they go when the rendering leaves the in-process cache.
  private readonly prepared = new WeakMap<RenderedHome, PreparedResponses>();

  constructor(
    private readonly edge: HttpEdge,
    private readonly home: ReadHomeScreen,
    /** Bodies from this size on are compressed; below it compression costs more than it saves. */
    private readonly compressionThresholdBytes: number,
  ) {}

  /**
   * Answers one request received at `now` (ms); never rejects (errors become problem+json answers). A
   * promise is made only for what waits on I/O: a token an identity provider's keys verify, a level that
   * loads. A known user whose screen is in memory is answered in this call.
   */
  handle(request: IncomingMessage, response: ServerResponse, now = Date.now()): void {
    const user = this.edge.requestUser(request, now);
    if (user instanceof Promise) {
      user
        .then((found) => this.serve(request, response, found, Date.now()))
        .catch((error: unknown) => this.fail(request, response, error));
    } else this.serve(request, response, user, now);
  }

  /** The read once the user is known (or the refusal to write): the client profile, then ReadHomeScreen. */
  private serve(
    request: IncomingMessage,
    response: ServerResponse,
    user: string | ProblemException,
    now: number,
  ): void {
    if (user instanceof ProblemException) return this.edge.refuse(request, response, user);
    const client = this.profile(request);
    if (!client.ok) {
      return this.edge.refuse(
        request,
        response,
        ProblemException.of(HttpStatus.NOT_ACCEPTABLE, client.reason),
      );
    }
    let read: HomeRead | Promise<HomeRead>;
    try {
      read = this.home.read(user, client.profile, now);
    } catch (error) {
      return this.unavailable(request, response, error);
    }
    if (!(read instanceof Promise)) return this.send(request, response, read);
    read
      .then(
        (loaded) => this.send(request, response, loaded),
        (error: unknown) => this.unavailable(request, response, error),
      )
      .catch((error: unknown) => this.fail(request, response, error));
  }

  /** The read failed: the layout or the generic widgets cannot be loaded and were never loaded here. */
  private unavailable(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    this.logger.warn(`home screen unavailable, nothing cached to fall back on: ${(error as Error).message}`);
    const detail = 'The home screen cannot be loaded right now.';
    const problem = ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, detail, { 'retry-after': '1' });
    this.edge.refuse(request, response, problem);
  }

  /** Anything unexpected: 500, unless an answer has gone out already. */
  private fail(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    this.logger.error((error as Error).stack ?? String(error));
    const problem = ProblemException.of(HttpStatus.INTERNAL_SERVER_ERROR, 'The request could not be served.');
    if (!response.headersSent) this.edge.refuse(request, response, problem);
  }

  /** Writes the answer with the headers prepared once per rendering. */
  private send(request: IncomingMessage, response: ServerResponse, { rendered, stale }: HomeRead): void {
    const { headers } = request;
    const prepared = this.prepared.get(rendered) ?? this.prepare(rendered);
    let status = 200;
    let answer: PreparedResponse = prepared.identity;
    if (etagMatches(headers['if-none-match'], rendered.etag)) {
      [status, answer] = [304, prepared.notModified];
    } else if (prepared.compressed !== undefined) {
      const encoding = preferredEncoding(single(headers['accept-encoding']));
      if (encoding !== undefined) {
        answer = prepared.compressed[encoding] ??= json(
          compressBody(rendered.body, encoding),
          common(rendered),
          encoding,
        );
      }
    }
    response.writeHead(status, stale ? { ...answer.headers, [STALE_HEADER]: 'true' } : answer.headers);
    response.end(answer.body);
  }

  private prepare(rendered: RenderedHome): PreparedResponses {
    const prepared: PreparedResponses = {
      identity: json(rendered.body, common(rendered)),
      notModified: { headers: common(rendered) },
      compressed: rendered.body.length < this.compressionThresholdBytes ? undefined : {},
    };
    this.prepared.set(rendered, prepared);
    return prepared;
  }

  private profile({ headers }: IncomingMessage): ClientProfileResult {
    const version = single(headers['x-sdui-version']);
    const components = single(headers['x-sdui-components']);
    if (version === undefined && components === undefined) return clientProfile(undefined, undefined);
    const key = `${version}\n${components}`;
    let profile = this.profiles.get(key);
    if (profile === undefined) this.profiles.set(key, (profile = clientProfile(version, components)));
    return profile;
  }
}

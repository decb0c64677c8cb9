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

  /** Answers one request received at `now` (ms); never rejects (errors become problem+json answers). */
  handle(request: IncomingMessage, response: ServerResponse, now = Date.now()): void {
    // The warm path, all in memory and without a promise: a known token and a current rendering.
    const user = this.edge.knownUser(request, now);
    if (user instanceof ProblemException) return this.edge.refuse(request, response, user);
    if (user !== undefined) {
      const client = this.profile(request);
      const warm = client.ok ? this.home.readWarm(user, client.profile, now) : undefined;
      if (warm !== undefined) return this.send(request, response, warm);
    }
    this.answer(request, response, user).catch((error: unknown) => {
      let problem: ProblemException;
      if (error instanceof ProblemException) problem = error;
      else {
        this.logger.error((error as Error).stack ?? String(error));
        const detail = 'The request could not be served.';
        problem = ProblemException.of(HttpStatus.INTERNAL_SERVER_ERROR, detail);
      }
      if (!response.headersSent) this.edge.refuse(request, response, problem);
    });
  }

  /**
   * The rest of the read; `knownUser` is the user of a token already verified and counted above. Throws
   * the refusals (ProblemException) that `handle` writes.
   */
  private async answer(
    request: IncomingMessage,
    response: ServerResponse,
    knownUser?: string,
  ): Promise<void> {
    const userId = knownUser ?? (await this.edge.user(request.headers.authorization));
    const client = this.profile(request);
    if (!client.ok) throw ProblemException.of(HttpStatus.NOT_ACCEPTABLE, client.reason);
    let read: HomeRead;
    try {
      read = await this.home.read(userId, client.profile);
    } catch (error) {
      this.logger.warn(
        `home screen unavailable, nothing cached to fall back on: ${(error as Error).message}`,
      );
      const detail = 'The home screen cannot be loaded right now.';
      throw ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, detail, { 'retry-after': '1' });
    }
    this.send(request, response, read);
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

import type { IncomingMessage, ServerResponse } from 'node:http';

/** `url` is `path` itself, or `path` with a query string. */
export const isPath = (url: string, path: string) =>
  url.startsWith(path) && (url.length === path.length || url[path.length] === '?');

/** Answers a request and returns true, or returns false to hand it on to Fastify and Nest. */
export type FrontDoorHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The Node HTTP server's own request listener, ahead of Fastify (installed through Fastify's
 * `serverFactory`): an app may answer its one hot route here, where a request costs no more than on a
 * bare node:http server, and every other request goes on to Fastify and Nest unchanged. The app installs
 * its handler while its modules initialise, before the server listens.
 */
export class FrontDoor {
  private handler?: FrontDoorHandler;

  use(handler: FrontDoorHandler): void {
    if (this.handler !== undefined) throw new Error('the front door has a handler already');
    this.handler = handler;
  }

  /** The server's request listener; `fastify` is Fastify's own. */
  listener(fastify: (request: IncomingMessage, response: ServerResponse) => void) {
    return (request: IncomingMessage, response: ServerResponse): void => {
      if (this.handler === undefined || !this.handler(request, response)) fastify(request, response);
    };
  }
}

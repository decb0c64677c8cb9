import type { FastifyInstance } from 'fastify';

/**
 * How much of a refused body is read and dropped, as a multiple of the body limit. A client sending more
 * than that is cut off (and may miss its answer); one sending a few times the limit by mistake reads its 413.
 */
const DRAIN_FACTOR = 16;

/**
 * Fastify refuses a body from its headers (too large, unknown type) and answers at once with
 * `connection: close`, while the client may still be sending it. Closing a socket with unread bytes makes
 * the kernel reset the connection, and the client usually loses the 4xx with it ("fetch failed").
 * So the rest of a refused body is read and dropped, up to a bound, and the connection stays open for the
 * next request, as Node does for any body a handler did not read.
 */
export function drainRefusedBodies(fastify: FastifyInstance, bodyLimitBytes: number): void {
  const maxDrainBytes = bodyLimitBytes * DRAIN_FACTOR;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const incoming = request.raw;
    if (reply.statusCode >= 400 && !incoming.complete) {
      reply.removeHeader('connection');
      let dropped = 0;
      incoming.on('data', (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > maxDrainBytes) incoming.socket.destroy();
      });
    }
    done(null, payload);
  });
}

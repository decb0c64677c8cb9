import { STATUS_CODES, maxHeaderSize, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ProblemException, problemDocument, writeProblem } from './problem-details.filter';

/** Node's codes for the requests its parser or its timers refuse, by the status they are answered with. */
const REFUSALS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: `The request line and headers are larger than the ${maxHeaderSize / 1024} KiB this server reads.`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'The chunk extensions of the body are too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};
const MALFORMED = { status: 400, detail: 'The request is not valid HTTP/1.1.' };

/** After a refusal, how long and how much more the client may send before the connection is cut. */
const LINGER_MS = 5_000;
const MAX_BYTES_READ = 1024 * 1024;

/**
 * The Node server's `clientError` handler (given to Fastify as its `clientErrorHandler`): a request Node
 * refuses before any listener sees it (URL and headers over `maxHeaderSize`, malformed HTTP, not received
 * in time) is answered with problem+json like every other refusal, where Node or Fastify would write a
 * bare 431/400/408 of their own. Without a request there is no `instance`.
 *
 * The answer ends our side of the connection instead of destroying it: closing a socket with unread bytes
 * (the rest of a 70 KB URL) makes the kernel reset the connection, and the client loses the answer. Node's
 * parser reports every further chunk again, which is how the bytes read are bounded. Returns the status
 * answered, if any.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): number | undefined {
  if (error.code === 'ECONNRESET' || socket.destroyed) return undefined;
  if (!socket.writable) {
    if (socket.bytesRead > MAX_BYTES_READ) socket.destroy(); // answered already
    return undefined;
  }
  // Node's own rule: nothing can be written once a response on this connection has begun.
  if ((socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent) {
    socket.destroy();
    return undefined;
  }
  const { status, detail } = (error.code && REFUSALS[error.code]) || MALFORMED;
  const body = JSON.stringify(problemDocument(status, detail));
  socket.setTimeout(LINGER_MS, () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n` +
      `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return status;
}

/**
 * The Node server's `checkExpectation` handler: a request whose `Expect` header is not `100-continue`
 * gets 417 problem+json, where Node would answer an empty 417 itself.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const detail = 'The only expectation this server meets is "100-continue".';
  writeProblem(response, ProblemException.of(417, detail), request.url);
}

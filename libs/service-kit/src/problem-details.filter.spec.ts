import type { ArgumentsHost } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { answerFrameworkError, ProblemDetailsFilter } from './problem-details.filter';

/** A reply that records what it was given. */
function recordingReply() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const reply = {
    status: (status: number) => ((sent.status = status), reply),
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  return { sent, reply: reply as unknown as FastifyReply };
}

const request = { url: '/v1/products/deals/widgets/generic' } as FastifyRequest;

function answer(exception: unknown) {
  const { sent, reply } = recordingReply();
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }) };
  new ProblemDetailsFilter().catch(exception, host as unknown as ArgumentsHost);
  return sent;
}

const prismaError = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'PrismaClientKnownRequestError', code });

describe('ProblemDetailsFilter', () => {
  // Found by the chaos run: product-api answered 500 for every write while Postgres restarted.
  it('answers an unreachable database with a 503 and Retry-After, not a 500', () => {
    const sent = answer(prismaError('P1001', "Can't reach database server at 127.0.0.1:5432"));
    expect(sent.status).toBe(503);
    expect(sent.headers).toMatchObject({ 'retry-after': '1', 'content-type': 'application/problem+json' });
    expect(sent.body).toMatchObject({ status: 503, title: 'Service unavailable' });
  });

  it('still answers an unexpected error with a 500 that gives nothing away', () => {
    const sent = answer(prismaError('P2002', 'Unique constraint failed on the fields: (`id`)'));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('Unique');
  });
});

describe('answerFrameworkError', () => {
  // Found by the fuzz suite: a path parameter over the router's limit got Fastify's plain JSON.
  it("answers Fastify's rejections before routing with problem+json", () => {
    const { sent, reply } = recordingReply();
    const error = Object.assign(new Error('exceeding the max param length'), { statusCode: 414 });
    answerFrameworkError(error, request, reply);
    expect(sent.status).toBe(414);
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(sent.body).toMatchObject({ status: 414, instance: request.url });
  });
});

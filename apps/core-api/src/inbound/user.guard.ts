import {
  Injectable,
  SetMetadata,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { HttpEdge } from './http-edge';

const BODY_TOKEN = 'hwp:body-token';
const USER = Symbol('user');

type EdgeRequest = FastifyRequest & { [USER]?: string };

/**
 * On a route whose clients cannot set headers (navigator.sendBeacon): without an Authorization header,
 * the bearer token may travel in the JSON body's `token` member, JSON sent as text/plain included
 * (sendBeacon's type; parsed here then, and kept parsed for the handler).
 */
export const AcceptsBodyToken = () => SetMetadata(BODY_TOKEN, true);

/** The user UserGuard authenticated, as a handler parameter. */
export const AuthenticatedUser = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<EdgeRequest>()[USER],
);

/**
 * Nest's side of HttpEdge for the user routes: the bearer token's user, counted against the per-user
 * limit, or a 401/429 problem (rendered by service-kit's filter as the front door writes it).
 */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(
    private readonly edge: HttpEdge,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<EdgeRequest>();
    let { authorization } = request.headers;
    if (authorization === undefined && this.reflector.get<boolean>(BODY_TOKEN, context.getHandler())) {
      const token = bodyToken(request);
      if (token !== undefined) authorization = `Bearer ${token}`;
    }
    request[USER] = await this.edge.user(authorization);
    return true;
  }
}

/** The body's `token` member; a body that is not JSON has none (the handler says why it is invalid). */
function bodyToken(request: FastifyRequest): string | undefined {
  if (typeof request.body === 'string') {
    try {
      request.body = JSON.parse(request.body) as unknown;
    } catch {
      return undefined;
    }
  }
  const token = (request.body as { token?: unknown } | null | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

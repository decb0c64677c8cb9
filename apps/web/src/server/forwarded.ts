import { headers } from 'next/headers';

/**
 * X-Forwarded-For for a call to core-api or product-api made for this request: the chain the request
 * came with. Next.js puts the browser's address there when the request came without one; behind a load
 * balancer, which appends the address it saw, the chain ends with the browser's. core-api and
 * product-api list the web tier in TRUSTED_PROXIES and take the client from that chain, so their
 * per-address limits count end users, never the web server.
 */
export function forwardedFor(incoming: Headers): Record<string, string> {
  const chain = incoming.get('x-forwarded-for');
  return chain ? { 'x-forwarded-for': chain } : {};
}

/** forwardedFor for server components and actions, from the request's own headers. */
export async function requestForwardedFor(): Promise<Record<string, string>> {
  return forwardedFor(await headers());
}

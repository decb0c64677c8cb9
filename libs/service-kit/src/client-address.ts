import type { IncomingMessage } from 'node:http';
import proxyaddr from '@fastify/proxy-addr';
import { z } from 'zod';

/** Decides whether an address (a hop of the request's chain) is one of our trusted proxies. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * The trust rule for a list of proxy networks (CIDRs such as `10.0.0.0/8`, single addresses, or the names
 * `loopback`, `linklocal`, `uniquelocal`); undefined for an empty list. Throws a TypeError naming a
 * malformed entry. Fastify's own `trustProxy` compiles lists the same way (@fastify/proxy-addr).
 */
export function compileProxyTrust(networks: readonly string[]): ProxyTrust | undefined {
  return networks.length === 0 ? undefined : proxyaddr.compile([...networks]);
}

/**
 * TRUSTED_PROXIES in an app's config schema: trusted proxy networks, comma-separated. Empty (the default)
 * trusts none, so X-Forwarded-For is ignored.
 */
export const trustedProxiesVar = () =>
  z
    .string()
    .default('')
    .transform((value, context) => {
      const networks = value
        .split(',')
        .map((network) => network.trim())
        .filter((network) => network !== '');
      try {
        compileProxyTrust(networks);
        return networks;
      } catch {
        context.addIssue({
          code: 'custom',
          message: 'must be a comma-separated list of CIDRs or addresses (e.g. 10.0.0.0/8,127.0.0.1)',
        });
        return z.NEVER;
      }
    });

/**
 * The client's address of a request: the peer's, unless the peer is a trusted proxy; then
 * X-Forwarded-For is walked from right to left, skipping trusted hops, and the first untrusted address is
 * the client (a client can prepend anything, but cannot get past the hops our proxies appended).
 */
export class ClientAddresses {
  constructor(private readonly trust: ProxyTrust | undefined) {}

  of(request: IncomingMessage): string {
    // Without trusted proxies or a forwarded chain, the peer is the client: no parsing on the hot path.
    if (this.trust === undefined || request.headers['x-forwarded-for'] === undefined)
      return request.socket.remoteAddress ?? '';
    return proxyaddr(request, this.trust);
  }
}

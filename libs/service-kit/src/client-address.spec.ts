import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClientAddresses, compileProxyTrust, trustedProxiesVar } from './client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('ClientAddresses', () => {
  const behindProxies = new ClientAddresses(compileProxyTrust(['127.0.0.1/32', '10.0.0.0/8']));

  it('takes the first untrusted address from the right of the chain a trusted peer sent', () => {
    expect(behindProxies.of(request('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    // A client-written entry on the left cannot get past the address our proxy appended.
    expect(behindProxies.of(request('127.0.0.1', '198.51.100.1, 203.0.113.7, 10.1.2.3'))).toBe('203.0.113.7');
    expect(behindProxies.of(request('::ffff:127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from an untrusted peer, and without trusted proxies', () => {
    expect(behindProxies.of(request('192.0.2.9', '203.0.113.7'))).toBe('192.0.2.9');
    expect(new ClientAddresses(compileProxyTrust([])).of(request('127.0.0.1', '203.0.113.7'))).toBe(
      '127.0.0.1',
    );
  });

  it('is the peer when every hop is trusted or no chain was sent', () => {
    expect(behindProxies.of(request('127.0.0.1'))).toBe('127.0.0.1');
    expect(behindProxies.of(request('127.0.0.1', '10.0.0.5'))).toBe('10.0.0.5');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes CIDRs, addresses and range names, and refuses anything else', () => {
    expect(trustedProxiesVar().parse(' 10.0.0.0/8, 127.0.0.1 ,loopback')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'loopback',
    ]);
    expect(trustedProxiesVar().parse(undefined)).toEqual([]);
    expect(trustedProxiesVar().safeParse('10.0.0.0/33').success).toBe(false);
    expect(trustedProxiesVar().safeParse('proxy.internal').success).toBe(false);
  });
});

import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressBody, etagMatches, preferredEncoding } from './http-encoding';

describe('preferredEncoding', () => {
  it.each([
    [undefined, undefined],
    ['identity', undefined],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['gzip;q=0, br;q=0', undefined],
  ])('%s → %s', (header, expected) => {
    expect(preferredEncoding(header)).toBe(expected);
  });
});

describe('etagMatches', () => {
  it('matches one of a list, weakly, or *', () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"b"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});

describe('compressBody', () => {
  it('compresses a body in either encoding, losslessly', () => {
    const body = Buffer.from('{"text":"' + 'home '.repeat(300) + '"}');
    const gzip = compressBody(body, 'gzip');
    const br = compressBody(body, 'br');
    expect(gunzipSync(gzip)).toEqual(body);
    expect(brotliDecompressSync(br)).toEqual(body);
    expect(br.length).toBeLessThan(body.length);
  });
});

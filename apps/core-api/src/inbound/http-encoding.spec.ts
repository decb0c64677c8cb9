import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressAbove, etagMatches, preferredEncoding } from './http-encoding';

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

describe('compressAbove', () => {
  it('compresses only bodies from the threshold on', () => {
    const compress = compressAbove(1_024);
    expect(compress(Buffer.alloc(1_023, 'a'))).toBeUndefined();
    const body = Buffer.from('{"text":"' + 'home '.repeat(300) + '"}');
    const compressed = compress(body)!;
    expect(gunzipSync(compressed.gzip)).toEqual(body);
    expect(compressed.br.length).toBeLessThan(body.length);
  });
});

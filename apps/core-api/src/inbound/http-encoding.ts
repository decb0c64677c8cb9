import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip';

/**
 * A body in `encoding`. Made once per rendering and encoding, on the first request that asks for it, so a
 * moderate Brotli quality keeps that request short.
 */
export function compressBody(body: Buffer, encoding: ContentEncoding): Buffer {
  return encoding === 'gzip'
    ? gzipSync(body, { level: 6 })
    : brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
}

/** The encoding to answer with for an Accept-Encoding header: br or gzip by q-value (br on ties), or none. */
export function preferredEncoding(acceptEncoding: string | undefined): ContentEncoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  const quality: Record<string, number> = {};
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...params] = part.split(';').map((item) => item.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    quality[coding] = q === undefined ? 1 : Number(q.slice(2)) || 0;
  }
  const br = quality['br'] ?? quality['*'] ?? 0;
  const gzip = quality['gzip'] ?? quality['x-gzip'] ?? quality['*'] ?? 0;
  if (br > 0 && br >= gzip) return 'br';
  return gzip > 0 ? 'gzip' : undefined;
}

/** If-None-Match against our (strong) ETag, with the weak comparison RFC 9110 prescribes for it. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag;
  });
}

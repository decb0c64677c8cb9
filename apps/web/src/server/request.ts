import { headers } from 'next/headers';

/** The first locale of the request's Accept-Language that this runtime can format numbers in; else "en". */
export async function requestLocale(): Promise<string> {
  const accept = (await headers()).get('accept-language') ?? '';
  for (const part of accept.split(',').slice(0, 10)) {
    const [range = ''] = part.split(';', 1);
    const tag = range.trim();
    if (tag === '' || tag === '*') continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // Not a well-formed language tag: try the next one.
    }
  }
  return 'en';
}

/** The request's clock, taken once per render so every countdown agrees. */
export function requestTime(): number {
  return Date.now();
}

/** Whether the site is reached over https (directly or behind a TLS-terminating proxy). */
export async function isHttps(): Promise<boolean> {
  return (await headers()).get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

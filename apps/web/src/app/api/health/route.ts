// Answer per request (never a build-time snapshot), so a 200 means this server is up.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' });
}

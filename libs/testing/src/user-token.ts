import { SignJWT } from 'jose';

/** A user's bearer token as core-api's shared-secret (HS256) mode takes it: `sub` and `exp`. */
export function userToken(
  userId: string,
  secret: string,
  expiresAt: string | number = '1h',
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

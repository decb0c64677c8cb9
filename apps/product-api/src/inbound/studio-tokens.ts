import { decodeJwt } from 'jose';
import {
  signStudioToken,
  verifyStudioToken,
  type StudioAuthentication,
  type StudioSession,
} from '@hwp/studio-auth';

/** Studio session tokens (libs/studio-auth) with this app's secret and lifetime. */
export class StudioTokens {
  constructor(private readonly settings: { secret: string; ttlSeconds: number }) {}

  async issue(session: StudioSession): Promise<{ token: string; expiresAt: Date }> {
    const token = await signStudioToken(session, this.settings.secret, this.settings.ttlSeconds);
    return { token, expiresAt: new Date(decodeJwt(token).exp! * 1000) };
  }

  /** The session of an `Authorization: Bearer <token>` header. */
  async fromAuthorization(authorization: string): Promise<StudioAuthentication> {
    if (authorization.slice(0, 7).toLowerCase() !== 'bearer ')
      return { ok: false, detail: 'the Bearer scheme is required' };
    return verifyStudioToken(authorization.slice(7).trim(), this.settings.secret);
  }
}

import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@hwp/service-kit';
import { canAccessProduct, verifyStudioToken } from '@hwp/studio-auth';
import { bearerToken } from './bearer-auth';
import { unauthorized } from './problem-reply';

const CHALLENGE = 'Bearer realm="hwp-studio"';

/** Studio reads need a studio session token (issued by product-api; STUDIO_JWT_SECRET) for the product. */
export class StudioAuthenticator {
  constructor(private readonly secret: string) {}

  /** Resolves when the token's session may read `productId`; else throws 401 (no studio token) or 403. */
  async authorize(authorization: string | undefined, productId: string): Promise<void> {
    const token = bearerToken(authorization);
    if (token === undefined) throw unauthorized('a studio bearer token is required', CHALLENGE);
    const verified = await verifyStudioToken(token, this.secret);
    if (!verified.ok) {
      throw unauthorized(
        verified.detail,
        `${CHALLENGE}, error="invalid_token", error_description="${verified.detail}"`,
      );
    }
    if (!canAccessProduct(verified.session, productId)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', {
        detail: `Team ${verified.session.teamId} may not read the analytics of ${productId}.`,
      });
    }
  }
}

import { HttpStatus } from '@nestjs/common';
import { invalidRequest, ProblemException } from '@hwp/service-kit';
import { canAccessProduct, verifyStudioToken, type StudioSession } from '@hwp/studio-auth';
import { PRODUCT_ID_PATTERN } from '@hwp/widget-events';
import { bearerToken } from './bearer-auth';
import { unauthorized } from './http-edge';

const CHALLENGE = 'Bearer realm="hwp-studio"';

const forbidden = (detail: string) => new ProblemException(HttpStatus.FORBIDDEN, 'Forbidden', { detail });

/** Studio routes need a studio session token (issued by product-api; STUDIO_JWT_SECRET). */
export class StudioAuthenticator {
  constructor(private readonly secret: string) {}

  /**
   * The session when it may read `productId`'s data; else throws 401 (no studio token), 403, or 400 for
   * a path parameter that is not a product id (after the 403: a team learns nothing of other ids).
   */
  async authorize(authorization: string | undefined, productId: string): Promise<StudioSession> {
    return this.mayRead(await this.authenticate(authorization), productId);
  }

  /**
   * `session` when it may read `productId`'s data, else throws as `authorize` does: for a route that
   * reads the product id from its body, once the body is parsed (and after the 401).
   */
  mayRead(session: StudioSession, productId: string): StudioSession {
    if (!canAccessProduct(session, productId))
      throw forbidden(`Team ${session.teamId} may not read the data of product ${productId}.`);
    if (!PRODUCT_ID_PATTERN.test(productId))
      throw invalidRequest([{ parameter: 'productId', detail: 'must be a product id' }]);
    return session;
  }

  /** The session when it is a platform admin's; else throws 401 (no studio token) or 403. */
  async authorizeAdmin(authorization: string | undefined): Promise<StudioSession> {
    const session = await this.authenticate(authorization);
    if (session.role !== 'admin') throw forbidden('Only a platform admin may do this.');
    return session;
  }

  /** Any valid studio session; else throws 401. */
  async authenticate(authorization: string | undefined): Promise<StudioSession> {
    const token = bearerToken(authorization);
    if (token === undefined) throw unauthorized('a studio bearer token is required', CHALLENGE);
    const verified = await verifyStudioToken(token, this.secret);
    if (!verified.ok) {
      throw unauthorized(
        verified.detail,
        `${CHALLENGE}, error="invalid_token", error_description="${verified.detail}"`,
      );
    }
    return verified.session;
  }
}

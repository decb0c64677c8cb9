import type { StudioSession } from '@hwp/studio-auth';
import type { ProductCatalog, TeamDirectory } from './publishing';

/** The studio session's team id of a platform admin. */
export const PLATFORM_TEAM = 'platform';

/** Who opens a studio session: a product team with its API key, or a platform admin with the admin key. */
export class StudioLogin {
  constructor(
    private readonly teams: TeamDirectory,
    private readonly products: ProductCatalog,
    private readonly isAdminKey: (apiKey: string) => boolean,
  ) {}

  /** The session an API key opens, or undefined for an unknown or revoked key. */
  async sessionFor(apiKey: string): Promise<StudioSession | undefined> {
    if (this.isAdminKey(apiKey))
      return { teamId: PLATFORM_TEAM, productIds: await this.products.allIds(), role: 'admin' };
    const team = await this.teams.teamForApiKey(apiKey);
    return team && { teamId: team.id, productIds: team.productIds, role: 'team' };
  }
}

import { Body, Controller, Get, Headers, HttpStatus, Inject, Param, Put, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiJsonAnswer, ApiJsonBody, ProblemException, parseRequest } from '@hwp/service-kit';
import { endpointRegistration, platformRefreshEndpoints, registeredEndpoint } from '@hwp/api-bodies';
import {
  REFRESH_ENDPOINT_STORE,
  withoutSecret,
  type RefreshEndpointStore,
} from '../domain/refresh-endpoints';
import { PlatformKeys } from './platform-keys';
import type { Caller } from '../domain/audit';
import { AlsoAccepts, ProductTeamGuard, RequestCaller } from './product-team.guard';

/**
 * A product team registers where the platform asks it to publish (the refresh contract,
 * docs/product-refresh.md): with its API key, or a studio session over the product (an admin's covers
 * every product).
 */
@ApiTags('refresh contract')
@ApiSecurity('apiKey')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'No or unknown API key or studio session (problem+json).' })
@ApiForbiddenResponse({ description: "The key or session belongs to another product's team (problem+json)." })
@UseGuards(ProductTeamGuard)
@Controller('v1/products/:productId/refresh-endpoint')
export class RefreshEndpointController {
  constructor(@Inject(REFRESH_ENDPOINT_STORE) private readonly endpoints: RefreshEndpointStore) {}

  @Put()
  @AlsoAccepts('studio')
  @ApiOperation({
    summary: "Register the product's refresh endpoint (replaces an earlier registration)",
    description:
      'The platform calls `url` with signed batches of users, and with `{ "audience": "generic" }` every ' +
      '`genericPullSeconds`; see docs/product-refresh.md. The secret is never answered.',
  })
  @ApiJsonBody(endpointRegistration)
  @ApiJsonAnswer(HttpStatus.OK, registeredEndpoint, 'The registration, without its secret.')
  @ApiBadRequestResponse({ description: '`errors[].pointer` names the invalid field (problem+json).' })
  async register(
    @Param('productId') productId: string,
    @Body() body: unknown,
    @RequestCaller() caller: Caller,
  ): Promise<z.output<typeof registeredEndpoint>> {
    const registration = parseRequest(endpointRegistration, body);
    const endpoint = await this.endpoints.register(productId, registration, caller);
    const { updatedAt, ...registered } = withoutSecret(endpoint);
    return { ...registered, updatedAt: updatedAt.toISOString() };
  }
}

/**
 * The platform's side: the refresh worker (ingester) reads every registration, secrets included, with the
 * platform refresh key (PLATFORM_REFRESH_KEY). No team key or studio session reaches it.
 */
@ApiTags('refresh contract')
@ApiSecurity('apiKey')
@Controller('v1/platform/refresh-endpoints')
export class PlatformRefreshEndpointsController {
  constructor(
    @Inject(REFRESH_ENDPOINT_STORE) private readonly endpoints: RefreshEndpointStore,
    @Inject(PlatformKeys) private readonly platformKeys: PlatformKeys,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Every product's refresh endpoint with its signing secret (the platform's refresh worker)",
    description: '`x-api-key` must hold the platform refresh key (PLATFORM_REFRESH_KEY).',
  })
  @ApiJsonAnswer(HttpStatus.OK, platformRefreshEndpoints, 'Every registration, in product order.')
  @ApiUnauthorizedResponse({ description: 'Not the platform refresh key (problem+json).' })
  async all(@Headers('x-api-key') apiKey?: string): Promise<z.output<typeof platformRefreshEndpoints>> {
    if (typeof apiKey !== 'string' || apiKey === '' || !this.platformKeys.isRefreshKey(apiKey))
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'Unauthorized', {
        detail: 'send the platform refresh key in x-api-key',
      });
    const endpoints = await this.endpoints.all();
    return {
      endpoints: endpoints.map(({ productId, url, secret, genericPullSeconds }) => ({
        productId,
        url,
        secret,
        genericPullSeconds,
      })),
    };
  }
}

import { Body, Controller, Get, Headers, HttpStatus, Inject, Param, Put, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ProblemException, parseRequest } from '@hwp/service-kit';
import {
  REFRESH_ENDPOINT_STORE,
  withoutSecret,
  type RefreshEndpointStore,
} from '../domain/refresh-endpoints';
import { PlatformKeys } from './platform-keys';
import { AlsoAccepts, ProductTeamGuard } from './product-team.guard';

/** Bounds of a registration; the contract (docs/product-refresh.md) states the same. */
export const MIN_SECRET_LENGTH = 32;
export const MIN_GENERIC_PULL_SECONDS = 1;
export const MAX_GENERIC_PULL_SECONDS = 86_400;

class RegisterEndpointBody {
  @ApiProperty({ example: 'https://deals.internal.example/hwp/refresh', description: 'http(s) URL' })
  url!: string;
  @ApiProperty({
    minLength: MIN_SECRET_LENGTH,
    maxLength: 256,
    description: 'HMAC-SHA256 key the platform signs its calls with. Write-only: never answered.',
  })
  secret!: string;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: MIN_GENERIC_PULL_SECONDS,
    maximum: MAX_GENERIC_PULL_SECONDS,
    description: 'Pull the generic widget this often (seconds); null or absent: never.',
  })
  genericPullSeconds?: number | null;
}

class RegisteredEndpointBody {
  @ApiProperty({ example: 'deals' }) productId!: string;
  @ApiProperty({ example: 'https://deals.internal.example/hwp/refresh' }) url!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 300 }) genericPullSeconds!: number | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

const registration = z.object({
  url: z
    .string()
    .max(2048)
    .refine((value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  secret: z.string().min(MIN_SECRET_LENGTH).max(256),
  genericPullSeconds: z
    .number()
    .int()
    .min(MIN_GENERIC_PULL_SECONDS)
    .max(MAX_GENERIC_PULL_SECONDS)
    .nullable()
    .default(null),
});

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
  @ApiBody({ type: RegisterEndpointBody })
  @ApiOkResponse({ type: RegisteredEndpointBody })
  @ApiBadRequestResponse({ description: '`errors[].pointer` names the invalid field (problem+json).' })
  async register(@Param('productId') productId: string, @Body() body: unknown) {
    const endpoint = await this.endpoints.register(productId, parseRequest(registration, body));
    return withoutSecret(endpoint);
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
  @ApiUnauthorizedResponse({ description: 'Not the platform refresh key (problem+json).' })
  async all(@Headers('x-api-key') apiKey?: string) {
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

import { ConfigError, loadConfig } from '@hwp/service-kit';
import { configSchema, teamKeysOf } from './config';
import { SampleProductsService } from './sample-products.service';

/**
 * The sample products' service (the demo's product backends as their own process): listens, registers
 * each product's refresh endpoint on product-api, then answers the platform's signed calls. SIGTERM stops
 * it.
 */
async function main() {
  let config;
  try {
    config = loadConfig(configSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`sample-products: ${error.message}`);
    process.exit(1);
  }
  const service = new SampleProductsService({
    productApiUrl: config.PRODUCT_API_URL,
    teamKeys: teamKeysOf(config.SAMPLE_PRODUCT_KEYS),
    secret: config.SAMPLE_PRODUCTS_SECRET,
    genericPullSeconds: config.GENERIC_PULL_SECONDS === 0 ? null : config.GENERIC_PULL_SECONDS,
  });
  const port = await service.listen(config.PORT, config.HOST);
  const publicUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  // product-api may still be starting (the demo starts every app at once): try for up to 90 s, as a
  // deploy step would.
  for (const deadline = Date.now() + 90_000; ; ) {
    try {
      await service.register(publicUrl);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  console.log(`sample-products: ${publicUrl}, registered on ${config.PRODUCT_API_URL}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void service.close().then(() => process.exit(0)));
}

void main().catch((error: Error) => {
  console.error(`sample-products: ${error.message}`);
  process.exit(1);
});

// The generator reads the schema source, which the lib keeps out of its public API on purpose:
// consumers get the generated types and validator, never the zod definitions.
/* eslint-disable @nx/enforce-module-boundaries */
export { Screen } from '../../../libs/sdui-schema/src/source/catalogue';
export { SDUI_LIMITS } from '../../../libs/sdui-schema/src/source/limits';
export { SDUI_SCHEMA_VERSION } from '../../../libs/sdui-schema/src/source/version';
/* eslint-enable @nx/enforce-module-boundaries */

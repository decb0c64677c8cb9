// The public API of the SDUI schema: generated types, the validators, the fallback function, the
// tolerant decoder, the renderer contract, the reference outline renderer and the constants. The
// schema source (src/source/catalogue.ts) is deliberately not exported.
import { SDUI_LIMITS } from './source/limits';

export type * from './generated/types';
export { SDUI_ACTION_TYPES, SDUI_NODE_TYPES, SDUI_WIDGET_TYPES } from './generated/catalogue';
export { renderSduiNode, type SduiNodeRenderers, type SduiNodeTypes } from './generated/renderers';
export type { ValidationError } from './checker';
export { validateScreen, validateWidget, type ValidationResult } from './validate';
export { adaptForClient, type AdaptResult, type ClientCapabilities } from './adapt';
export { decodeScreen, decodeSduiNode, decodeWidget, type DecodeResult } from './decode';
export { outlineNode, outlineScreen } from './outline';
export { SDUI_SCHEMA_VERSION } from './source/version';
export { SDUI_LIMITS };
export const MAX_WIDGET_BYTES = SDUI_LIMITS.maxWidgetBytes;

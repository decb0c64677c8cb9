import { SDUI_NODE_TYPES, SDUI_SCHEMA_VERSION, type ClientCapabilities } from '@hwp/sdui-schema';

/** What one client can render, normalised so that equal capabilities share one cached rendering. */
export interface ClientProfile {
  /** Identifies the capabilities in cache keys and the ETag; "*" for the full screen. */
  signature: string;
  /** Undefined when the client gets the full screen. */
  capabilities?: ClientCapabilities;
}

export type ClientProfileResult = { ok: true; profile: ClientProfile } | { ok: false; reason: string };

export const FULL_SCREEN: ClientProfile = { signature: '*' };

const SEMVER = /^(\d+)\.\d+\.\d+$/;
const KNOWN_TYPES: ReadonlySet<string> = new Set(SDUI_NODE_TYPES);

/**
 * The profile from the client's `x-sdui-version` and `x-sdui-components` headers. Without a component
 * list, or with one naming every type the server knows, the client gets the full screen; types the server
 * does not know are ignored. A client of another
 * major schema version cannot be served.
 */
export function clientProfile(
  version: string | undefined,
  components: string | undefined,
): ClientProfileResult {
  if (version !== undefined) {
    const major = SEMVER.exec(version)?.[1];
    if (major === undefined)
      return { ok: false, reason: `x-sdui-version "${version}" is not a semver version` };
    if (major !== SDUI_SCHEMA_VERSION.split('.')[0]) {
      return { ok: false, reason: `x-sdui-version ${version} is not ${SDUI_SCHEMA_VERSION.split('.')[0]}.x` };
    }
  }
  if (components === undefined) return { ok: true, profile: FULL_SCREEN };
  const types = [...new Set(components.split(',').map((type) => type.trim()))]
    .filter((type) => KNOWN_TYPES.has(type))
    .sort();
  // A client that renders every type this server knows gets the full screen and shares its renderings.
  if (types.length === KNOWN_TYPES.size) return { ok: true, profile: FULL_SCREEN };
  const schemaVersion = version ?? SDUI_SCHEMA_VERSION;
  return {
    ok: true,
    profile: {
      signature: `${schemaVersion}|${types.join(',')}`,
      capabilities: { schemaVersion, supportedTypes: types },
    },
  };
}

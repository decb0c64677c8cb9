/**
 * The schema version (semver). Minor versions are additive only (see docs/sdui/README.md);
 * anything else needs a major bump. Change it here, then run `nx run sdui-schema:generate`.
 */
export const SDUI_SCHEMA_VERSION = '1.1.0';

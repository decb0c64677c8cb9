import { describe, expect, it } from 'vitest';
import { SDUI_SCHEMA_VERSION } from '@hwp/sdui-schema';
import { FULL_SCREEN, clientProfile } from './client-profile';

describe('clientProfile', () => {
  it('gives the full screen to a client that sends no component list', () => {
    expect(clientProfile(undefined, undefined)).toEqual({ ok: true, profile: FULL_SCREEN });
    expect(clientProfile(SDUI_SCHEMA_VERSION, undefined)).toEqual({ ok: true, profile: FULL_SCREEN });
  });

  it('normalises the component list so that equal capabilities share one signature', () => {
    const a = clientProfile('1.0.0', 'text, section,section,hologram');
    const b = clientProfile('1.0.0', 'section,text');
    expect(a).toEqual(b);
    expect(a).toEqual({
      ok: true,
      profile: {
        signature: '1.0.0|section,text',
        capabilities: { schemaVersion: '1.0.0', supportedTypes: ['section', 'text'] },
      },
    });
  });

  it('refuses another major version or a malformed one', () => {
    expect(clientProfile('2.0.0', 'text')).toMatchObject({ ok: false });
    expect(clientProfile('latest', undefined)).toMatchObject({ ok: false });
  });
});

import { describe, expect, it } from 'vitest';
import { SDUI_NODE_TYPES, SDUI_SCHEMA_VERSION } from '@hwp/sdui-schema';
import { FULL_SCREEN, clientProfile } from './client-profile';

describe('clientProfile', () => {
  it('gives the full screen to a client that sends no component list', () => {
    expect(clientProfile(undefined, undefined)).toEqual({ ok: true, profile: FULL_SCREEN });
    expect(clientProfile(SDUI_SCHEMA_VERSION, undefined)).toEqual({ ok: true, profile: FULL_SCREEN });
  });

  it('gives the full screen to a client that renders every known type (the web app), and not one type less', () => {
    const every = [...SDUI_NODE_TYPES, 'hologram'].reverse().join(',');
    expect(clientProfile(SDUI_SCHEMA_VERSION, every)).toEqual({ ok: true, profile: FULL_SCREEN });
    const allButOne = SDUI_NODE_TYPES.slice(1).join(',');
    expect(clientProfile(SDUI_SCHEMA_VERSION, allButOne)).toMatchObject({
      ok: true,
      profile: { capabilities: { supportedTypes: [...SDUI_NODE_TYPES.slice(1)].sort() } },
    });
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

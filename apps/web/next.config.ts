import path from 'node:path';
import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';

export default function nextConfig(phase: string): NextConfig {
  return {
    // Root Turbopack (and output tracing, which Next keeps equal to it) at the repo root, not apps/web:
    // files outside the root are not resolved, and the `@hwp/*` path aliases point into libs/.
    outputFileTracingRoot: path.join(__dirname, '../..'),
    // Every build also writes .next/standalone, which the image ships (docker/web.Dockerfile): the server
    // and only the node_modules files it traced. `next start` (demo, tests, bench) serves the same build
    // from .next, and would warn about a standalone setting it does not use.
    output: phase === PHASE_PRODUCTION_BUILD ? 'standalone' : undefined,
    poweredByHeader: false,
  };
}

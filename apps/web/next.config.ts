import path from 'node:path';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Root Turbopack (and output tracing, which Next keeps equal to it) at the repo root, not apps/web:
  // files outside the root are not resolved, and the `@hwp/*` path aliases point into libs/.
  outputFileTracingRoot: path.join(__dirname, '../..'),
  poweredByHeader: false,
};

export default nextConfig;

import { vitestConfig } from '../../vitest.config.mts';

// libs/testing is the test support itself: it has no tests of its own.
export default vitestConfig(import.meta.dirname, { passWithNoTests: true });

import { vitestConfig } from '../../vitest.config.mts';

export default vitestConfig(import.meta.dirname);

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // every test file, then the whole run, must end with no server listening and no process left
    globalSetup: ['test/hardening/global-setup.ts'],
    setupFiles: ['test/hardening/no-leftovers.ts'],
  },
});

import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: { OTLP_URL: inject('edgescopeCollector').otlpUrl } },
    })),
  ],
  test: {
    // Starts the capture collector in Node before any test file and provides its URLs.
    globalSetup: ['./test/global-setup.js'],
    // One collector serves the whole run: files that clear it and count what arrived must not
    // run at the same time.
    fileParallelism: false,
  },
});

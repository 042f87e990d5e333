import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import { fileURLToPath } from 'node:url'

// The app runs under `script-src 'self'`: vue-i18n messages are precompiled
// by the plugin and the runtime-only build (no `new Function`) is used.
export default defineConfig({
  plugins: [
    vue(),
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/locales/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: true,
      strictMessage: false,
      escapeHtml: false,
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  // The router reads the link paths shared with the server from lms-core.
  server: { fs: { allow: ['..'] }, proxy: { '/api': 'http://127.0.0.1:8099', '/healthz': 'http://127.0.0.1:8099' } },
  test: { environment: 'jsdom', include: ['tests/**/*.test.ts'] },
})

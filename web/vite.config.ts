// The console is built into the Python package (venus/console/dist), which `venus serve` serves
// at /. `npm run dev` serves the sources with the API of a server on 127.0.0.1:10010.
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../venus/console/dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:10010", "/healthz": "http://127.0.0.1:10010" },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});

/// <reference types="vitest" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// The gateway serves the build under /app/ (same origin as the API, so CORS stays closed).
// `npm run dev` proxies the API to a running gateway (HERALD_GATEWAY_URL, default make dev's).
const gateway = process.env.HERALD_GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/app/",
  plugins: [react()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    proxy: { "/api": gateway, "/dev": gateway },
  },
  build: { sourcemap: false, target: "es2020" },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    globals: true,
    testTimeout: 20_000,
  },
});

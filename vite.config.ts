import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The client is served by Plenum itself, from one origin, with no asset from
// anywhere else: no CDN, no web fonts, no inline scripts (the CSP forbids them).
export default defineConfig({
  root: "src/client",
  base: "/",
  plugins: [preact()],
  build: {
    outDir: "../../dist/client",
    emptyOutDir: true,
    // Inlined assets would become data: URLs; keep every asset a file of our origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080", "/ws": { target: "ws://127.0.0.1:8080", ws: true } },
  },
});

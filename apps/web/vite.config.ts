import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { boardAssets } from "./board-assets.vite";
import { vtpServiceWorker } from "./src/pwa/vitePlugin";

const target = process.env.VTP_API_URL ?? "http://localhost:8080";
export default defineConfig({
  plugins: [react(), boardAssets(), vtpServiceWorker()],
  // One React: Excalidraw (in the root node_modules) must use the app's React 19 (the root package.json's overrides keep one copy; this guards the bundle).
  resolve: { dedupe: ["react", "react-dom"] },
  server: {
    port: 5173,
    proxy: {
      "/api": { target, changeOrigin: false },
      "/socket.io": { target, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    // The service worker's precache list is read from it (src/pwa/vitePlugin.ts).
    manifest: true,
  },
});

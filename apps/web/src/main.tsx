import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { api } from "./api/browser";
import { captureInstallPrompt } from "./pwa/install";
import { OfflineGate } from "./pwa/OfflinePage";
import { registerServiceWorker } from "./pwa/register";
import { clearSnapshotOnSignOut } from "./pwa/snapshot";
import { UpdatePrompt } from "./pwa/UpdatePrompt";
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/components.css";
import "./styles/layout.css";
import "./styles/classroom.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

registerServiceWorker();
captureInstallPrompt();
clearSnapshotOnSignOut((listener) => api.subscribe(listener));

createRoot(root).render(
  <StrictMode>
    <OfflineGate>
      <App />
    </OfflineGate>
    <UpdatePrompt />
  </StrictMode>,
);

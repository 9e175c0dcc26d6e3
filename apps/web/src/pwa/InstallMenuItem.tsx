import { Icon } from "../ui/Icon";
import { promptInstall, useInstallOffered } from "./install";

/** "Install app" in the account menu, only while the browser offers installation. */
export function InstallMenuItem({ onDone }: { onDone: () => void }) {
  const offered = useInstallOffered();
  if (!offered) return null;
  return (
    <button
      type="button"
      className="menu-item"
      onClick={() => {
        onDone();
        void promptInstall();
      }}
      data-testid="install-app"
    >
      <Icon name="download" size={18} style={{ marginRight: 8 }} />
      Install app
    </button>
  );
}

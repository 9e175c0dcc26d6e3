import type { ExcalidrawProps } from "@excalidraw/excalidraw/types";

/**
 * What every board in VTP hides of Excalidraw's own menus (the class board, a group's board and
 * the recording's replay): no clearing, loading, exporting or saving a scene, no theme or
 * background switch, and no images (a board element opens and fetches nothing).
 */
export const BOARD_UI_OPTIONS: ExcalidrawProps["UIOptions"] = {
  canvasActions: {
    changeViewBackgroundColor: false,
    clearCanvas: false,
    export: false,
    loadScene: false,
    saveToActiveFile: false,
    saveAsImage: false,
    toggleTheme: false,
  },
  tools: { image: false },
};

import { useState, type ReactNode } from "react";

/**
 * The Board tab on a phone held upright, while a board is presented: the board itself, as large as
 * the tab allows (it leaves the small stage above for the teacher's camera), and a switch to the
 * Materials panel (to present something else or stop).
 */
export function PhoneBoard({ board, materials }: { board: ReactNode; materials: ReactNode }) {
  const [showMaterials, setShowMaterials] = useState(false);
  return (
    <section className="phone-board" aria-label="Board" data-testid="phone-board">
      <div className="phone-board-head">
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          aria-pressed={showMaterials}
          onClick={() => setShowMaterials((shown) => !shown)}
          data-testid="phone-board-materials"
        >
          {showMaterials ? "Back to the board" : "Materials"}
        </button>
      </div>
      {showMaterials ? materials : <div className="phone-board-surface">{board}</div>}
    </section>
  );
}

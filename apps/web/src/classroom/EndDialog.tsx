import { useEffect, type RefObject } from "react";

/** The host's "End the class for everyone?" confirmation (a modal dialog while `open`). */
export function EndDialog({
  dialogRef,
  open,
  onCancel,
  onConfirm,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  open: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open, dialogRef]);
  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby="end-h" onClose={onCancel} data-testid="end-dialog">
      <h2 id="end-h">End the class for everyone?</h2>
      <p className="muted">Everyone will leave the class and it cannot be restarted.</p>
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={onConfirm} data-testid="end-confirm">
          End class
        </button>
      </div>
    </dialog>
  );
}

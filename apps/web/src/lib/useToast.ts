import { useEffect, useState } from "react";

/** One short message at a time that goes away after `ms` (the classroom's toasts). */
export function useToast(ms = 4000): [string | null, (text: string) => void] {
  const [toast, setToast] = useState<string | null>(null);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), ms);
    return () => clearTimeout(timer);
  }, [toast, ms]);
  return [toast, setToast];
}

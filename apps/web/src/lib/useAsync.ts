import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export type AsyncState<T> = { status: "loading"; data?: T } | { status: "ok"; data: T } | { status: "error"; error: unknown; data?: T };

/** Loads data when the dependencies change; keeps the previous data while reloading. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps and the reload tick are the triggers; the loader is read through a ref.
  useEffect(() => {
    const ctl = new AbortController();
    setState((previous) => ({ status: "loading", data: previous.data }));
    loadRef.current(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ status: "ok", data }),
      (error) => !ctl.signal.aborted && setState((previous) => ({ status: "error", error, data: previous.data })),
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((count) => count + 1), []);
  return { ...state, reload, setData: (data: T) => setState({ status: "ok", data }) };
}

/** A value that settles `ms` after it stops changing (for search boxes). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

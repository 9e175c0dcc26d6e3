/** The bench stops with a clear message when something it set up is missing. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`sfu bench: ${what} is missing`);
  return value;
}

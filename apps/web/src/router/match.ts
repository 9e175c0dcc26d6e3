export type Params = Record<string, string>;

/**
 * Matches a pathname against a pattern such as "/room/:id". Trailing slashes are ignored;
 * a parameter matches one non-empty segment and is URI-decoded.
 */
export function matchPath(pattern: string, pathname: string): Params | null {
  const split = (s: string) => s.split("/").filter(Boolean);
  const p = split(pattern);
  const s = split(pathname);
  if (p.length !== s.length) return null;
  const params: Params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** A same-origin path worth returning to after sign-in (never an absolute or protocol-relative URL). */
export function safeNext(next: string | null | undefined, fallback = "/dashboard"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

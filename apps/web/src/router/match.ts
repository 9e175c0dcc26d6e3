export type Params = Record<string, string>;

/**
 * Matches a pathname against a pattern such as "/room/:id". Trailing slashes are ignored;
 * a parameter matches one non-empty segment and is URI-decoded.
 */
export function matchPath(pattern: string, pathname: string): Params | null {
  const split = (path: string) => path.split("/").filter(Boolean);
  const patternParts = split(pattern);
  const pathParts = split(pathname);
  if (patternParts.length !== pathParts.length) return null;
  const params: Params = {};
  for (let i = 0; i < patternParts.length; i++) {
    if (patternParts[i].startsWith(":")) {
      try {
        params[patternParts[i].slice(1)] = decodeURIComponent(pathParts[i]);
      } catch {
        return null;
      }
    } else if (patternParts[i] !== pathParts[i]) return null;
  }
  return params;
}

/** A same-origin path worth returning to after sign-in (never an absolute or protocol-relative URL). */
export function safeNext(next: string | null | undefined, fallback = "/dashboard"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/**
 * Reads settings from the environment and collects every problem instead of stopping at the
 * first, so `loadConfig` can report all of them at start. Each capability exports a parser of
 * its own settings that takes a reader (`readMediaSettings`, `readStorageSettings`, …).
 */
export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The raw value, or undefined when unset or empty. */
  text(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === "" ? undefined : raw;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** `true`/`1` or `false`/`0`. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    this.problem(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problem(`${name} must be one of ${values.join(", ")} (got "${raw}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.text(name);
    return raw === undefined ? undefined : this.checkUrl(name, raw, protocols);
  }

  /** Comma-separated values, blanks dropped. */
  list(name: string): string[] {
    return (this.text(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }

  urlList(name: string, protocols: string[]): string[] {
    return this.list(name).filter((raw) => this.checkUrl(name, raw, protocols) !== undefined);
  }

  /** "a/b" with two whole numbers of at least 1, e.g. "10/10". */
  pair(name: string, fallback: [number, number], meaning: string): [number, number] {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const match = /^(\d+)\/(\d+)$/.exec(raw);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      this.problem(`${name} must be ${meaning}, two whole numbers of at least 1 (got "${raw}")`);
      return fallback;
    }
    return [Number(match[1]), Number(match[2])];
  }

  private checkUrl(name: string, raw: string, protocols: string[]): string | undefined {
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) {
        this.problem(`${name} must start with ${protocols.join(" or ")} (got "${url.protocol}")`);
        return undefined;
      }
      return raw;
    } catch {
      this.problem(`${name} is not a valid URL ("${raw}")`);
      return undefined;
    }
  }
}

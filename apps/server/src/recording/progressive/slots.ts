import { availableParallelism } from "node:os";

/**
 * How many windows this server composes at once, over all its recordings (a class with 20
 * recorded breakout groups has 20 composers): half the cores, at least one. A composer waits for a
 * slot; one that waits falls behind and then composes a longer span at once.
 */
export class ComposeSlots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size = Math.max(1, Math.floor(availableParallelism() / 2))) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}

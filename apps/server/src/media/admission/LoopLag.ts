/**
 * How late this thread's event loop runs: a timer every `intervalMs` notes how much later than
 * asked it fired. `lagMs` is the latest delay, decaying slowly (×0.7 per tick) from a spike, so
 * one long stall holds admissions for a few ticks, not one. Each event loop (worker thread) has
 * its own. The timer is unref'd: it never keeps a process alive.
 */
export class LoopLag {
  #lag = 0;
  #max = 0;
  #timer: NodeJS.Timeout | undefined;
  #expected = 0;

  constructor(readonly intervalMs = 20) {}

  start(): void {
    if (this.#timer) return;
    this.#expected = performance.now() + this.intervalMs;
    this.#timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - this.#expected);
      this.#expected = now + this.intervalMs;
      this.#lag = Math.max(late, this.#lag * 0.7);
      if (late > this.#max) this.#max = late;
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** Milliseconds the loop currently runs late (smoothed). */
  get lagMs(): number {
    return this.#lag;
  }

  /** The largest single delay seen since the last call (for stats), then reset. */
  takeMaxMs(): number {
    const max = this.#max;
    this.#max = 0;
    return max;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

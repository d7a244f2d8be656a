// A retry timer whose delay grows with the number of tries (Phoenix's Timer).

export class Timer {
  constructor(callback, timerCalc) {
    this.callback = callback;
    this.timerCalc = timerCalc;
    this.timer = undefined;
    this.tries = 0;
  }

  reset() {
    this.tries = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs the callback after the delay for the next try (cancelling a pending one). */
  scheduleTimeout() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.tries += 1;
      this.callback();
    }, this.timerCalc(this.tries + 1));
  }
}

/**
 * Backoff with jitter: 1 s, 2 s, 5 s, 10 s, then 10 s, each drawn from [half, full] of that,
 * so that thousands of clients cut off together (a gateway restart) do not return together.
 */
export function backoffWithJitter(steps) {
  return (tries) => {
    const base = steps[tries - 1] ?? steps[steps.length - 1];
    return Math.round(base / 2 + Math.random() * (base / 2));
  };
}

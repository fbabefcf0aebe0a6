import type { Clock } from "../executor.js";

/**
 * The clock of a simulated site, shared by the runtime and every double: site time runs `speed` times
 * faster than the wall clock, from a starting point. Its state (where site time stood at a wall time, and
 * the speed) is saved with the site, so that a site restored later goes on from there; the time the site
 * spent stopped counts, at the speed it ran with, as the real site would not have waited either.
 */
export interface SiteClockState {
  /** Site time (ms since the epoch) at `wallAt`. */
  readonly siteAt: number;
  /** Wall time (ms since the epoch) when site time was `siteAt`. */
  readonly wallAt: number;
  readonly speed: number;
}

/** The wall clock as the site clock reads it; tests give their own. */
export interface WallClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realWall: WallClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A clock whose time runs `speed` times faster than the wall clock. Throws a RangeError for a speed that
 * is not a positive finite number.
 */
export class SiteClock implements Clock {
  private siteAt: number;
  private wallAt: number;
  private currentSpeed: number;

  constructor(
    state: SiteClockState,
    private readonly wall: WallClock = realWall,
  ) {
    checkSpeed(state.speed);
    this.siteAt = state.siteAt;
    this.wallAt = state.wallAt;
    this.currentSpeed = state.speed;
  }

  /** A clock that starts now (site time = wall time) at `speed`. */
  static startingNow(speed: number, wall: WallClock = realWall): SiteClock {
    const now = wall.now();
    return new SiteClock({ siteAt: now, wallAt: now, speed }, wall);
  }

  /**
   * The clock of a restored site: its saved site time, plus the wall time that passed since it was saved
   * at the speed it ran with; from now on it runs at `speed`.
   */
  static resumed(saved: SiteClockState, speed: number, wall: WallClock = realWall): SiteClock {
    const restored = new SiteClock(saved, wall);
    restored.setSpeed(speed);
    return restored;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  now(): number {
    return this.siteAt + (this.wall.now() - this.wallAt) * this.currentSpeed;
  }

  /** Changes the speed from now on; site time does not jump. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    const now = this.now();
    this.siteAt = now;
    this.wallAt = this.wall.now();
    this.currentSpeed = speed;
  }

  /** What to save to restore this clock later. */
  state(): SiteClockState {
    const wallAt = this.wall.now();
    return {
      siteAt: this.siteAt + (wallAt - this.wallAt) * this.currentSpeed,
      wallAt,
      speed: this.currentSpeed,
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.wall.clearTimeout(handle);
        reject(signal?.reason);
      };
      // NOTE: the wall delay is rounded up to a whole millisecond, so that a sleep never ends before its
      // site time has passed (a reader that wakes up and looks at the site must see what was due).
      const handle = this.wall.setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, Math.ceil(ms / this.currentSpeed)),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function checkSpeed(speed: number): void {
  if (!(Number.isFinite(speed) && speed > 0))
    throw new RangeError(`a clock speed is a positive number, not ${speed}`);
}

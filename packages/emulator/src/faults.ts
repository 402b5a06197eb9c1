/**
 * Seeded fault injection. Each route keeps its own request counter and each fault kind its own stream, so
 * "the 3rd submit gets a 500" holds for a seed no matter how many polls happened in between.
 */
import type { EmulatorConfig, FaultRoute } from './options.js';
import { SeededRandom, deriveSeed, seededUnit } from './random.js';

/** Faults drawn for one request. */
export interface RequestFaults {
  /** Destroy the connection without a reply. */
  drop: boolean;
  /** Answer 500 `InternalError`. */
  serverError: boolean;
  /** Delay the reply by this many ms (0 = none). */
  delayMs: number;
}

const NONE: RequestFaults = { drop: false, serverError: false, delayMs: 0 };

/** Draws the faults for requests and tasks. */
export class FaultInjector {
  private readonly counters = new Map<FaultRoute, number>();

  constructor(
    private readonly faults: EmulatorConfig['faults'],
    private readonly seed: number,
  ) {}

  /** Faults for the next request on `route` (a drop wins over a 500; a slow reply can add to either). */
  forRequest(route: FaultRoute): RequestFaults {
    if (!this.faults.routes.has(route)) return NONE;
    const index = this.counters.get(route) ?? 0;
    this.counters.set(route, index + 1);
    const drop = seededUnit(this.seed, 'drop', route, index) < this.faults.dropConnectionRate;
    const serverError = !drop && seededUnit(this.seed, 'server-error', route, index) < this.faults.serverErrorRate;
    const slow = seededUnit(this.seed, 'slow', route, index) < this.faults.slowReplyRate;
    return { drop, serverError, delayMs: slow ? this.faults.slowReplyMs : 0 };
  }

  /** The failure of the `taskIndex`-th created task (0-based), or undefined when it should succeed. */
  taskFailure(taskIndex: number): { code: string; message: string } | undefined {
    if (seededUnit(this.seed, 'task-failure', taskIndex) >= this.faults.taskFailureRate) return undefined;
    return { code: this.faults.taskFailureCode, message: this.faults.taskFailureMessage };
  }

  /**
   * For a partly successful `taskIndex`-th task of `n` images: the positions (sorted) whose image the
   * service "failed to make", with their code and message; undefined when the task gets all its images.
   * Only tasks with n ≥ 2 can be partial (at least one image is always made).
   */
  partialFailure(taskIndex: number, n: number): { indices: number[]; code: string; message: string } | undefined {
    if (n < 2 || seededUnit(this.seed, 'partial', taskIndex) >= this.faults.partialRate) return undefined;
    const rng = new SeededRandom(deriveSeed(this.seed, 'partial-positions', taskIndex));
    const failed = 1 + Math.floor(rng.next() * (n - 1));
    const positions = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [positions[i], positions[j]] = [positions[j], positions[i]];
    }
    const indices = positions.slice(0, failed).sort((a, b) => a - b);
    return { indices, code: this.faults.partialFailureCode, message: this.faults.partialFailureMessage };
  }
}

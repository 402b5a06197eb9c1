/** `GET /emulator/stats` (no auth) and `POST /emulator/reset` (clears stats, keeps tasks). */
import type { Reply } from '../http-io.js';
import type { RouteContext } from './route-context.js';

/** The stats snapshot as JSON. */
export async function handleStats(ctx: RouteContext): Promise<Reply> {
  return { status: 200, json: ctx.state.stats.snapshot() };
}

/** Forgets the stats seen so far (tasks, uploads and results are kept). */
export async function handleStatsReset(ctx: RouteContext): Promise<Reply> {
  ctx.state.stats.reset();
  return { status: 200, json: { request_id: ctx.requestId } };
}

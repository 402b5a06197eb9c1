/**
 * Task-slot utilisation of one key from an emulator timeline: time a task of the key was running ÷ time
 * from its first submit to its last task's end, with the slot hand-over gaps (end → next creation,
 * creation → start). Shared by the pipeline and cluster benchmarks.
 */
export function utilisation(timeline, key) {
  const mine = timeline.filter((t) => t.key === key && t.startedAt !== null && t.endedAt !== null);
  if (mine.length === 0) return { util: 0, busy: 0, span: 0 };
  const firstSubmit = Math.min(...timeline.filter((t) => t.key === key).map((t) => t.submittedAt));
  const lastEnd = Math.max(...mine.map((t) => t.endedAt));
  // Union of running intervals (with one running slot they do not overlap; union is safe anyway).
  const iv = mine.map((t) => [t.startedAt, t.endedAt]).sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let [cs, ce] = iv[0];
  for (const [s, e] of iv.slice(1)) {
    if (s > ce) {
      busy += ce - cs;
      [cs, ce] = [s, e];
    } else ce = Math.max(ce, e);
  }
  busy += ce - cs;
  const span = lastEnd - firstSubmit;
  // Slot hand-overs: from a task's end to the next task's creation (our end detection + submit + the
  // service's admission), and from creation to start (time the service keeps a new task PENDING).
  const byStart = [...mine].sort((a, b) => a.startedAt - b.startedAt);
  const toCreate = [];
  const toStart = [];
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1];
    const next = byStart[i];
    if (next.submittedAt >= prev.endedAt) {
      toCreate.push(next.submittedAt - prev.endedAt);
      toStart.push(next.startedAt - next.submittedAt);
    }
  }
  const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return { util: busy / span, busy, span, handovers: toCreate.length, endToCreateMs: mean(toCreate), createToStartMs: mean(toStart) };
}

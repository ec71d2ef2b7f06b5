// The strategies driven by a simulated sweep: segments "run" instantly, with an objective
// that is a known function of the trial and the iterations reached.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_OBJECTIVE } from "../../src/tune/objective.js";
import {
  Asha,
  FullRuns,
  rungIterations,
  type Segment,
  type Strategy,
  SuccessiveHalving,
} from "../../src/tune/strategies/index.js";

/** Runs `strategy` to the end with `parallel` segments in flight, finishing the oldest first. */
function simulate(
  strategy: Strategy,
  parallel: number,
  objective: (trial: number, iterations: number) => number,
): Segment[] {
  const done: Segment[] = [];
  const running: Segment[] = [];
  for (let guard = 0; guard < 100_000; guard++) {
    while (running.length < parallel) {
      const next = strategy.next();
      if (typeof next !== "object") break;
      running.push(next);
    }
    const segment = running.shift();
    if (!segment) {
      assert.equal(strategy.next(), "done");
      return done;
    }
    done.push(segment);
    strategy.record({ ...segment, objective: objective(segment.trial, segment.iterations) });
  }
  throw new Error("the strategy never finished");
}

const context = (trialLimit: number) => ({ objective: DEFAULT_OBJECTIVE, trialLimit, maxIterations: 810 });
/** Trial t's quality is a fixed number; longer training lowers the loss for everyone alike. */
const quality = (t: number) => ((t * 7919) % 101) / 101;
const loss = (t: number, iterations: number) => quality(t) + 10 / iterations;

test("rungs are geometric and end at the full run", () => {
  assert.deepEqual(rungIterations(810, 10, 3), [10, 30, 90, 270, 810]);
  assert.deepEqual(rungIterations(600, 50, 3), [67, 200, 600]);
  assert.deepEqual(rungIterations(100, 100, 3), [100]);
});

test("full runs: each trial once, to the end", () => {
  const segments = simulate(new FullRuns(context(7)), 3, loss);
  assert.deepEqual(segments.map((s) => s.trial).sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(segments.every((s) => s.iterations === 810 && s.rung === 0));
});

test("successive halving keeps the best 1/eta at each rung and finds the best trial", () => {
  const segments = simulate(new SuccessiveHalving(context(27), { eta: 3, minIterations: 30 }), 4, loss);
  const perRung = [0, 1, 2, 3].map((k) => segments.filter((s) => s.rung === k).map((s) => s.trial));
  assert.deepEqual(
    perRung.map((r) => r.length),
    [27, 9, 3, 1],
  );
  const best = [...Array(27).keys()].sort((a, b) => quality(a) - quality(b));
  assert.deepEqual(new Set(perRung[1]), new Set(best.slice(0, 9)));
  assert.deepEqual(perRung[3], [best[0]]);
  // Each trial continues from its checkpoint, so its cost is the iterations it reached.
  const cost = 27 * 30 + 9 * (90 - 30) + 3 * (270 - 90) + (810 - 270);
  assert.ok(cost < 0.2 * 27 * 810);
});

test("ASHA promotes without waiting, finds the best trial, and spends far less than full runs", () => {
  const trials = 81;
  const segments = simulate(new Asha(context(trials), { eta: 3, minIterations: 10 }), 4, loss);
  const reached = new Map<number, number>();
  for (const s of segments) reached.set(s.trial, Math.max(reached.get(s.trial) ?? 0, s.iterations));
  assert.equal(reached.size, trials);
  const full = [...reached].filter(([, it]) => it === 810).map(([t]) => t);
  assert.ok(full.length >= 1);
  const best = [...Array(trials).keys()].sort((a, b) => quality(a) - quality(b));
  assert.ok(full.includes(best[0]!), `the best trial ${best[0]} reached the end (full runs: ${full})`);
  const cost = [...reached.values()].reduce((a, b) => a + b, 0);
  assert.ok(cost < 0.25 * trials * 810, `ASHA trained ${cost} iterations, full runs would ${trials * 810}`);
  // No (trial, rung) twice.
  assert.equal(new Set(segments.map((s) => `${s.trial}/${s.rung}`)).size, segments.length);
});

test("a replayed history rebuilds the state: the rest of the sweep is what an uninterrupted one does", () => {
  const make = () => new Asha(context(30), { eta: 3, minIterations: 10 });
  const whole = simulate(make(), 1, loss);
  const resumed = make();
  for (const s of whole.slice(0, 17)) resumed.record({ ...s, objective: loss(s.trial, s.iterations) });
  assert.deepEqual(simulate(resumed, 1, loss), whole.slice(17));
});

test("a failed trial (NaN) is never promoted", () => {
  const nanFor = (t: number, iterations: number) => (t === 0 ? Number.NaN : loss(t, iterations));
  const segments = simulate(new Asha(context(9), { eta: 3, minIterations: 10 }), 2, nanFor);
  assert.deepEqual(
    segments.filter((s) => s.trial === 0).map((s) => s.rung),
    [0],
  );
});

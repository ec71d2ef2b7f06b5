// L-BFGS (Nocedal 1980) for smooth, deterministic objectives of a modest number of
// parameters: full-batch convex problems such as logistic regression, where a
// quasi-Newton method converges in tens of steps where gradient descent needs thousands.
// The objective and its gradient come from the caller (typically one compiled program);
// the search direction and line search run here in float64.

export interface LbfgsOptions {
  /** Stop after this many iterations (default 1000). */
  maxIterations?: number;
  /** Stop when the largest gradient component is at most this (default 1e-4, as SciPy's gtol). */
  gradientTolerance?: number;
  /** Stop when a step lowers the objective by less than this fraction of it (default 2.2e-9, SciPy's factr·ε). */
  relativeTolerance?: number;
  /** Corrections kept (default 10). */
  history?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why it stopped. */
  message: string;
}

export type Objective = (x: Float64Array) => { value: number; gradient: Float64Array };

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Minimises `objective` from `x0` with a backtracking (Armijo) line search. */
export function minimizeLbfgs(
  objective: Objective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIterations = options.maxIterations ?? 1000;
  const gtol = options.gradientTolerance ?? 1e-4;
  const ftol = options.relativeTolerance ?? 2.220446049250313e-9;
  const m = options.history ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let { value: f, gradient: g } = objective(x);
  let evaluations = 1;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const direction = new Float64Array(n);
  const alphas = new Array<number>(m);
  const finish = (iterations: number, converged: boolean, message: string): LbfgsResult => ({
    x,
    value: f,
    iterations,
    evaluations,
    converged,
    message,
  });
  if (!Number.isFinite(f)) throw new Error(`L-BFGS: the objective is ${f} at the starting point`);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(g) <= gtol) return finish(iteration, true, "gradient below tolerance");
    // Two-loop recursion: direction = −H·g.
    direction.set(g);
    for (let i = ss.length - 1; i >= 0; i--) {
      alphas[i] = rhos[i]! * dot(ss[i]!, direction);
      const y = ys[i]!;
      for (let j = 0; j < n; j++) direction[j]! -= alphas[i]! * y[j]!;
    }
    if (ss.length > 0) {
      const last = ss.length - 1;
      const gamma = dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!);
      for (let j = 0; j < n; j++) direction[j]! *= gamma;
    } else {
      // First step: a unit-length move along −g.
      const scale = 1 / Math.sqrt(dot(g, g));
      for (let j = 0; j < n; j++) direction[j]! *= scale;
    }
    for (let i = 0; i < ss.length; i++) {
      const beta = rhos[i]! * dot(ys[i]!, direction);
      const s = ss[i]!;
      for (let j = 0; j < n; j++) direction[j]! += (alphas[i]! - beta) * s[j]!;
    }
    for (let j = 0; j < n; j++) direction[j] = -direction[j]!;
    let slope = dot(g, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      ss.length = ys.length = rhos.length = 0;
      for (let j = 0; j < n; j++) direction[j] = -g[j]!;
      slope = -dot(g, g);
    }
    let step = 1;
    let next = new Float64Array(n);
    let result: { value: number; gradient: Float64Array };
    for (let tries = 0; ; tries++) {
      for (let j = 0; j < n; j++) next[j] = x[j]! + step * direction[j]!;
      result = objective(next);
      evaluations++;
      if (Number.isFinite(result.value) && result.value <= f + 1e-4 * step * slope) break;
      if (tries === 40) return finish(iteration, false, "the line search found no lower point");
      step *= 0.5;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = next[j]! - x[j]!;
      y[j] = result.gradient[j]! - g[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
      if (ss.length === m) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
    }
    const previous = f;
    [x, next] = [next, x];
    f = result.value;
    g = result.gradient;
    if ((previous - f) / Math.max(Math.abs(previous), Math.abs(f), 1) <= ftol) {
      return finish(iteration + 1, true, "relative reduction below tolerance");
    }
  }
  return finish(maxIterations, false, `stopped after ${maxIterations} iterations`);
}

/**
 * Whether new nodes record that they need gradients. Lives here, below autodiff,
 * because node creation consults it; `noGrad` in src/autodiff is its public face.
 */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

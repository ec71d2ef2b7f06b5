/** A program's kernels, sent to every worker of the native pool before its first run on them. */
export interface NativeLoadMessage {
  /** Per kernel: its library, symbol and parameter address; undefined for kernels run on their reference semantics and empty ones. */
  readonly kernels: readonly ({ path: string; symbol: string; params: bigint } | undefined)[];
}

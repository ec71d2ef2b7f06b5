/**
 * What the thread that owns the GPU device is asked to do. The target builds these on
 * the calling thread and sends them in batches: in a browser they are carried out at
 * once on the same thread; in Node a worker thread owns the device (so that a value can be
 * read synchronously, by waiting on the worker), and the commands travel as messages.
 * Buffers and programs are named by numbers the target chooses.
 */
export type DeviceCommand =
  | { readonly op: "create"; readonly buffer: number; readonly bytes: number }
  | { readonly op: "release"; readonly buffer: number }
  | { readonly op: "write"; readonly buffer: number; readonly offset: number; readonly data: ArrayBuffer }
  | {
      readonly op: "run";
      readonly program: number;
      /** Device buffer of each binding slot of the program, for this run. */
      readonly slots: readonly number[];
      /** The dispatches to record, [from, to). */
      readonly from: number;
      readonly to: number;
    };

/** One compute shader dispatch of a loaded program. */
export interface DispatchSpec {
  /** Index into the program's shaders. */
  readonly shader: number;
  /** Binding slots of the program, in binding order after the parameters (binding 0). */
  readonly slots: readonly number[];
  /** Byte offset of this dispatch's parameters in the program's parameter buffer. */
  readonly paramsOffset: number;
  readonly paramsBytes: number;
  readonly groups: readonly [number, number, number];
}

/** A program as the device sees it: shaders, their parameters, dispatches over binding slots. */
export interface DeviceProgramSpec {
  readonly id: number;
  readonly shaders: readonly string[];
  /** Every dispatch's parameters, each section aligned for a uniform binding. */
  readonly params: ArrayBuffer;
  readonly dispatches: readonly DispatchSpec[];
}

/** What the device reports about itself once it is ready (for `doctor` and the renderers). */
export interface AdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Optional features the device was created with (subgroups, shader-f16, ...). */
  readonly features: readonly string[];
  /** Every optional feature the adapter offers. */
  readonly adapterFeatures: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  /** Subgroup sizes, when the adapter has subgroups. */
  readonly subgroupMinSize?: number;
  readonly subgroupMaxSize?: number;
  /** Where the device lives: "navigator.gpu" or the Node package that gave it. */
  readonly api: string;
}

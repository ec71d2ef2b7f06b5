// worker-connection.ts in a browser: the device lives on the calling thread there
// (device-connection.ts's InThreadConnection, opened by `initWebgpu`), never on a worker
// thread of its own.

export class WorkerConnection {
  constructor() {
    throw new Error("the webgpu target is opened asynchronously in a browser: call `await initWebgpu()`");
  }
}

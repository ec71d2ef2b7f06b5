// Writing a checkpoint in place can leave a truncated file if the process dies half way.
// Writing to a temporary file next to the target, flushing it to disk and then renaming it
// over the target is atomic on POSIX file systems: a reader sees the old file or the new
// one, never a mixture. The temporary file lives in the same directory because rename
// cannot cross file systems.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

// Flushing the directory makes the rename itself durable across a power loss. Some
// platforms (Windows) cannot open a directory for this; the rename is still atomic there.
function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch {
    // Best effort only, see above.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replaces the file at `path` with `data` atomically; strings are written as UTF-8. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  writeFileAtomicStreamSync(path, (write) => write(bytes));
}

/**
 * Replaces the file at `path` atomically with what `produce` writes, chunk by chunk, so a
 * file larger than memory (a model) never has to exist in one buffer.
 */
export function writeFileAtomicStreamSync(
  path: string,
  produce: (write: (bytes: Uint8Array) => void) => void,
): void {
  const temporaryPath = temporaryPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temporaryPath, "wx");
    const open = fd;
    produce((bytes) => writeAll(open, bytes));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporaryPath, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporaryPath, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not write ${path} atomically: ${reason}`, { cause: error });
  }
  fsyncDirectory(dirname(path));
}

#!/usr/bin/env node
import { createProgram } from "./program.js";
import { reportError } from "./report-error.js";

// `infiniset isa | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    reportError(error);
    process.exitCode = 1;
  });

#!/usr/bin/env node
/** `l2lab` entry point: runs the command line and sets the exit code. */
import { main } from './run.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

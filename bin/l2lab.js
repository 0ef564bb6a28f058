#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci`'s prepare step into dist/).
import '../dist/cli/main.js';

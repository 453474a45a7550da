#!/usr/bin/env node
// Runs the compiled CLI; `make` (npm run build) writes dist/.
import '../dist/cli/run.js';

#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so the CLI works straight after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 'running') process.exitCode = code;

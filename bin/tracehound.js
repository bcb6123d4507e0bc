#!/bin/sh
':' //; export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072}"; exec node "$0" "$@"
// The line above is shell, and a string and a comment to JavaScript: run as a program, the file
// sets glibc's allocator up for a long-running server, then runs itself under Node. glibc cannot
// change these once a process has started, and without them the server's RSS was 30-60 MiB
// higher and rose more over five minutes of ingest (bench/README.md). A GLIBC_TUNABLES of the
// caller's own, even an empty one, is kept; `node bin/tracehound.js` skips the line. (biome.json
// leaves this file unformatted: the formatter would put a `;` after the `':'`, breaking the shell.)

// Runs the TypeScript sources through tsx, so the CLI works straight after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 'running') process.exitCode = code;

// What a stored context costs with no tracing at all: an AsyncLocalStorage store around each
// request a server handles, as the OpenTelemetry context manager keeps one. On Node 20, once a
// store is entered, AsyncLocalStorage's hooks run for every promise the process makes.
//
//   BENCH_REGISTER=file://$PWD/bench/context-only.mjs npx tsx bench/register-overhead.ts
import { AsyncLocalStorage } from 'node:async_hooks';
import { Server } from 'node:http';

const storage = new AsyncLocalStorage();
const emit = Server.prototype.emit;
Server.prototype.emit = function emitInStore(event, ...args) {
  if (event !== 'request') return emit.call(this, event, ...args);
  return storage.run({ request: args[0] }, () => emit.call(this, event, ...args));
};

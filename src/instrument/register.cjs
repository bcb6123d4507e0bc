// `node -r tracehound/register app.js`: starts OpenTelemetry before a CommonJS app's modules load.
// The distro is TypeScript; tsx's scoped require compiles it without changing how the app loads.

// tsx turns on source maps for the whole process when it compiles the distro. Node would then
// read and keep the source map of every module loaded next, the OpenTelemetry packages' included:
// some 13 MB of heap that every garbage collection walks. The distro loads with source maps off,
// and then they are as the app had them (`--enable-source-maps`, or a loader such as tsx).
const sourceMapsEnabled = process.sourceMapsEnabled;
const setSourceMapsEnabled = process.setSourceMapsEnabled;
try {
  process.setSourceMapsEnabled(false);
  process.setSourceMapsEnabled = () => {};
  const { require: tsRequire } = require('tsx/cjs/api');
  tsRequire('./start.ts', __filename).startInstrumentation();
} catch (error) {
  // Tracing must never keep the application from starting.
  process.stderr.write(`tracehound/register: tracing is off, it failed to start: ${error}\n`);
} finally {
  process.setSourceMapsEnabled = setSourceMapsEnabled;
  process.setSourceMapsEnabled(sourceMapsEnabled);
}

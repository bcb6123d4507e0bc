// `node -r tracehound/register app.js`: starts OpenTelemetry before a CommonJS app's modules load.
// The distro is TypeScript; tsx's scoped require compiles it without changing how the app loads.
try {
  const { require: tsRequire } = require('tsx/cjs/api');
  tsRequire('./start.ts', __filename).startInstrumentation();
} catch (error) {
  // Tracing must never keep the application from starting.
  process.stderr.write(`tracehound/register: tracing is off, it failed to start: ${error}\n`);
}

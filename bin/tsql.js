#!/usr/bin/env node
// Ctrl-C while tsql's modules load (a few hundred milliseconds): exit 130, as at any later moment.
const whileLoading = () => process.exit(130);
process.on('SIGINT', whileLoading);
process.on('SIGTERM', whileLoading);

const { main } = await import('../dist/cli/main.js');
const done = main(process.argv.slice(2));
// main has installed its own handler by now: only then let go of this one, so no signal falls in between
process.off('SIGINT', whileLoading);
process.off('SIGTERM', whileLoading);

done.then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`internal error: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  },
);

// Loaded with `node --import` by the benchmarks: writes the process's resource usage (CPU
// time, peak RSS) as JSON to $TSQL_BENCH_USAGE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.TSQL_BENCH_USAGE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.resourceUsage())));

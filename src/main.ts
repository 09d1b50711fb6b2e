/** Entry point: `gatehouse <command>` (see `gatehouse --help`). */
import { runCli } from './cli/run.js';

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: Error) => { process.stderr.write(`gatehouse: ${err.stack ?? err.message}\n`); process.exitCode = 1; },
);

import { EXIT_INTERRUPTED, installInterruptHandler } from '../execution/interrupt.js';
import { isInterrupted } from '../util/interrupt-state.js';
import { EXIT_USAGE, jsonRequested, notice, printStopError, printUsageError, printUsageText, setConsolePreferences } from './console-output.js';
import { scrubOutput } from '../util/secrets.js';
import { ignoreClosedOutput } from './broken-pipe.js';
import { moveLeadingOptions } from './leading-options.js';
import { Command, CommanderError, Option } from 'commander';
import { formatPlace, UserError } from '../errors.js';
import { INDIRECT_MODES, parseSelector, STATE_METHODS } from '../graph/selector.js';
import { TSQL_VERSION } from '../version.js';
import type { ExecuteCommand } from './commands/execute.js';
import type { LsArgs } from './commands/ls.js';
import { parseCommon, type CommonOptions, type ParsedOptions } from './options.js';

// Each command's module (and what only it needs) is loaded when that command runs: a
// command pays for its own code only (bench/README.md, module loading).
const commands = {
  clean: () => import('./commands/clean.js'),
  deps: () => import('./commands/deps.js'),
  compile: () => import('./commands/compile.js'),
  debug: () => import('./commands/debug.js'),
  docs: () => import('./commands/docs.js'),
  execute: () => import('./commands/execute.js'),
  freshness: () => import('./commands/freshness.js'),
  diff: () => import('./commands/diff.js'),
  init: () => import('./commands/init.js'),
  parse: () => import('./commands/parse.js'),
  show: () => import('./commands/show.js'),
  retry: () => import('./commands/retry.js'),
  runOperation: () => import('./commands/run-operation.js'),
  ls: () => import('./commands/ls.js'),
};

/** Exit codes: 0 all good, 1 a node failed, 2 the project/profile/command line is wrong, 130 interrupted. */
export const EXIT_OK = 0;
export { EXIT_FAILURE, EXIT_USAGE } from './console-output.js';

function withCommon(cmd: Command, opts: { selection?: boolean; execution?: boolean; empty?: boolean } = {}): Command {
  cmd
    .option('--project-dir <dir>', 'directory holding tsql_project.yml (default: current directory)')
    .option('--profiles-dir <dir>', 'directory holding profiles.yml (default: project dir, then ~/.tsql)')
    .option('-t, --target <name>', 'output of the profile to use (default: the profile\'s target)')
    .option('--vars <yaml>', 'variables for var(), as YAML or JSON')
    .option('--ds <date>', 'run date YYYY-MM-DD for ds, prev_ds, … (default: today, UTC)')
    .addOption(new Option('--log-format <format>', 'console output (default: text)').choices(['text', 'json']))
    .option('--profile <name>', "profile to read from profiles.yml (default: the project file's profile:)")
    .option('--target-path <dir>', "where artifacts go (default: the project file's target-path:, else target)")
    .option('-q, --quiet', 'print errors only')
    .option('--no-progress', 'no live status line on a terminal (running nodes, elapsed time, rows loaded)')
    // --use-colors first, as --partial-parse below
    .option('--use-colors', 'colour the output, whatever the terminal (as dbt)')
    .option('--no-use-colors', 'no colour in the output (as dbt)')
    // --partial-parse first: with it, commander leaves the value unset when neither is given (the environment then applies)
    .option('--partial-parse', 'reuse the kept compile when nothing it was made from changed (the default)')
    .option('--no-partial-parse', "compile from scratch: do not reuse the compile kept in target/.tsql_cache (dbt's option)");
  if (opts.selection !== false) {
    cmd
      .option('-s, --select <selector...>', 'nodes to include (dbt selection syntax)')
      .addOption(new Option('-m, --models <selector...>', 'alias of --select').hideHelp())
      .option('--exclude <selector...>', 'nodes to leave out')
      .option('--selector <name>', 'a selector of selectors.yml (instead of --select/--exclude)')
      .addOption(new Option('--indirect-selection <mode>', "which tests of the selected nodes run (default: eager)").choices([...INDIRECT_MODES]))
      .option('--state <dir>', "folder holding production's manifest.json (for state:, result:, --defer)");
  }
  if (opts.execution) {
    cmd
      .option('--threads <n>', 'nodes run at once (default: the profile\'s threads)')
      .option('--full-refresh', 'rebuild incremental models and seeds from scratch')
      .option('-x, --fail-fast', 'stop at the first failure')
      .option('--start <date>', 'backfill: first run date (with --end)')
      .option('--end <date>', 'backfill: last run date, inclusive')
      .option('--fold-tests', "answer the data tests of one relation with one query (default: the engine's choice)")
      .option('--no-fold-tests', 'run every data test as its own query')
      .option('--defer', "refs to unselected nodes that do not exist here read production's relations (needs --state)")
      .option('--favor-state', 'with --defer: read production\'s relation for unselected nodes even when they exist here');
  }
  if (opts.empty) cmd.option('--empty', 'build every selected model with zero rows (refs and sources read as empty)');
  return cmd;
}

/** What CI needs from a command that runs nodes: reports, and stricter outcomes. */
function withCi(cmd: Command, opts: { strict: boolean }): Command {
  cmd
    .option('--wait [seconds]', 'when another tsql run holds the target schema, wait for it (at most SECONDS) instead of failing')
    .option('--junit-xml <path>', 'write a JUnit XML report there (relative to the current directory), even when the run fails')
    .option('--summary-md <path>', 'write a markdown summary there (a pull-request comment, $GITHUB_STEP_SUMMARY), even when the run fails');
  if (opts.strict) {
    cmd
      .option('--warn-error', 'treat warnings as errors: a test that warns fails the run')
      .option('--allow-empty-selection', 'a --select/--exclude/--selector that leaves no node runs nothing and exits 0, instead of an error');
  }
  return cmd;
}

function validateSelectors(o: ParsedOptions): void {
  for (const s of [...o.select, ...o.exclude]) {
    for (const part of s.split(/\s+/).filter(Boolean)) {
      for (const term of parseSelector(part).terms) {
        const c = term.criteria.find((x) => STATE_METHODS.has(x.method));
        if (c && !o.state) throw new UserError(`selector '${c.raw}' compares with production's artifacts: pass --state DIR`, {}, { hint: "DIR holds production's manifest.json, e.g. a copy of its target/" });
      }
    }
  }
}

/** The options the running command declares (set before its action): environment variables apply to those only. */
let acceptedOptions: Set<string> | undefined;

async function parsed(raw: CommonOptions): Promise<ParsedOptions> {
  const o = parseCommon(raw, acceptedOptions);
  validateSelectors(o);
  return o;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('tsql')
    .description('Compile, run and test SQL models: dbt-compatible projects, faster and safer.')
    .version(TSQL_VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: printUsageText, outputError: printUsageError })
    .hook('preAction', (_root, command) => {
      acceptedOptions = new Set(command.options.map((o) => o.attributeName()));
    });

  const exec = (name: ExecuteCommand, description: string) => {
    const cmd = withCi(withCommon(program.command(name).description(description), { execution: true, empty: name === 'run' || name === 'build' || name === 'snapshot' }), { strict: true });
    if (name === 'run' || name === 'build') {
      cmd
        .option('--event-time-start <time>', 'microbatch models build the batches from this date or time (UTC; with --event-time-end)')
        .option('--event-time-end <time>', 'microbatch models build the batches up to this date or time (UTC, exclusive)');
    }
    if (name === 'build') {
      cmd
        .option('--diff', "after the build, compare the built models with production's relations (needs --state)")
        .option('--fail-on-diff', 'with --diff: exit 1 when any data differs');
    }
    cmd.action(async (raw: CommonOptions) => {
      if (raw.failOnDiff && !raw.diff) throw new UserError('--fail-on-diff goes with --diff', {}, { hint: 'e.g. tsql build --state prod-artifacts --diff --fail-on-diff' });
      const { executeCommand } = await commands.execute();
      setExit(await executeCommand(name, await parsed(raw)));
    });
  };
  exec('run', 'build the selected models in dependency order');
  exec('seed', 'load CSV seeds into tables');
  exec('build', 'load seeds, build models and run their tests in one DAG order');
  exec('test', 'run data tests on the selected models, seeds and sources');
  exec('stage-external', 'create or refresh the external tables declared as sources (external:)');
  exec('snapshot', 'run the selected snapshots: record in each snapshot table the rows that changed since the last run');

  withCi(
    program
      .command('retry')
      .description('run again the nodes that failed or were skipped in the last run_results.json, with the same command and options')
      .option('--project-dir <dir>', 'directory holding tsql_project.yml (default: current directory)')
      .option('--profiles-dir <dir>', 'directory holding profiles.yml (default: the last run\'s)')
      .option('--threads <n>', 'nodes run at once (default: the last run\'s)')
      .addOption(new Option('--log-format <format>', 'console output (default: text)').choices(['text', 'json'])),
    { strict: false },
  ).action(async (raw: CommonOptions) => {
    const { retryCommand } = await commands.retry();
    setExit(await retryCommand(await parsed(raw)));
  });

  const source = program.command('source').description('commands about sources');
  withCommon(source.command('freshness').description('check how old the newest row of each source is (loaded_at_field, freshness)'), { execution: false })
    .option('--threads <n>', 'queries run at once')
    .option('-o, --output <path>', 'where to write sources.json (default: target/sources.json)')
    .action(async (raw: CommonOptions) => {
      const { freshnessCommand } = await commands.freshness();
      setExit(await freshnessCommand(await parsed(raw), raw.output));
    });

  withCommon(program.command('diff').description("compare the selected models (default: state:modified) with production's relations, in the warehouse"))
    .option('-o, --output <format>', 'text (default) or json (one object per model)')
    .option('--fail-on-diff', 'exit 1 when any data differs (default: differences are information, exit 0)')
    .option('--threads <n>', 'models compared at once')
    .option('--summary-md <path>', 'write the markdown report there, with a Data diff section')
    .action(async (raw: CommonOptions) => {
      const { checkDiffOutput, diffCommand } = await commands.diff();
      checkDiffOutput(raw.output);
      setExit(await diffCommand(await parsed(raw), raw.output));
    });

  withCommon(program.command('compile').description('render every model to target/compiled and write target/manifest.json'), { execution: true })
    .option('--inline <sql>', "print this SQL compiled in the project (ref(), source() and macros work); writes nothing")
    .action(async (raw: CommonOptions & { inline?: string }) => {
      const { compileCommand } = await commands.compile();
      setExit(await compileCommand(await parsed(raw), raw));
    });

  withCommon(program.command('show').description('run the select of a model (or of --inline SQL) and print its first rows'))
    .option('--inline <sql>', "a select to preview instead of a node; ref(), source() and macros work")
    .option('--limit <n>', 'rows to show (default 5)')
    .option('-o, --output <format>', 'text (default) or json')
    .option('--threads <n>', 'connections to open')
    .action(async (raw: CommonOptions & { inline?: string; limit?: string }) => {
      const o = await parsed(raw);
      const { checkShowArgs, showCommand } = await commands.show();
      checkShowArgs(o, raw);
      setExit(await showCommand(o, raw));
    });

  withCommon(program.command('parse').description('load and compile the project without touching the warehouse; write target/manifest.json'), { selection: false }).action(async (raw: CommonOptions) => {
    const { parseCommand } = await commands.parse();
    setExit(await parseCommand(await parsed(raw)));
  });

  const docs = program.command('docs').description('the documentation site: catalog, column-level lineage and a page per node');
  withCommon(docs.command('generate').description('write target/catalog.json, target/lineage.json and the static site in target/docs/'), { selection: false })
    .option('--no-compile', 'do not compile: read target/manifest.json as the last compile or run wrote it')
    .option('--empty-catalog', 'do not read the warehouse: no column types or row counts (catalog.json is empty)')
    .action(async (raw: CommonOptions & { compile?: boolean; emptyCatalog?: boolean }) => {
      const { docsGenerateCommand } = await commands.docs();
      setExit(await docsGenerateCommand(await parsed(raw), { compile: raw.compile !== false, emptyCatalog: !!raw.emptyCatalog }));
    });
  withCommon(docs.command('serve').description('serve target/docs/ on a local port until Ctrl-C (it never opens a browser)'), { selection: false })
    .option('--port <n>', 'port to listen on (default 8080)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)')
    .option('--no-browser', 'accepted for dbt users: tsql never opens a browser')
    .action(async (raw: CommonOptions & { port?: string; host?: string }) => {
      const { docsServeCommand } = await commands.docs();
      setExit(await docsServeCommand(await parsed(raw), raw));
    });

  withCommon(program.command('ls').alias('list').description('list the selected nodes'))
    .option('--resource-type <type...>', 'model, seed, snapshot, source, test, unit_test, analysis, exposure (repeatable)')
    .option('-o, --output <format>', 'selector (default), name, path or json')
    .option('--output-keys <keys...>', 'with --output json: the keys of each node to print (e.g. name,resource_type)')
    .action(async (raw: CommonOptions & LsArgs) => {
      const { checkLsOptions, lsCommand } = await commands.ls();
      checkLsOptions(raw);
      setExit(await lsCommand(await parsed(raw), raw));
    });

  withCommon(program.command('run-operation <macro>').description('run a macro on the target (execute is true: its run_query and statement calls run)'), { selection: false })
    .option('--args <yaml>', "the macro's arguments, as a YAML or JSON mapping")
    .action(async (macro: string, raw: CommonOptions & { args?: string }) => {
      const { runOperationCommand } = await commands.runOperation();
      setExit(await runOperationCommand(await parsed(raw), macro, raw.args));
    });

  withCommon(program.command('debug').description('show configuration and check the connection'), { selection: false }).action(async (raw: CommonOptions) => {
    const { debugCommand } = await commands.debug();
    setExit(await debugCommand(await parsed(raw)));
  });

  withCommon(program.command('clean').description('delete target/ and the other clean-targets'), { selection: false }).action(async (raw: CommonOptions) => {
    const { cleanCommand } = await commands.clean();
    setExit(await cleanCommand(await parsed(raw)));
  });

  withCommon(program.command('deps').description('install the packages of packages.yml into dbt_packages/ (pinned by package-lock.yml)'), { selection: false })
    .option('--upgrade', 'resolve the versions again and rewrite package-lock.yml')
    .action(async (raw: CommonOptions & { upgrade?: boolean }) => {
      const { depsCommand } = await commands.deps();
      setExit(await depsCommand(await parsed(raw), { upgrade: raw.upgrade }));
    });

  program
    .command('init [name]')
    .description('create a new project in ./<name>')
    .action(async (name: string | undefined) => {
      const { initCommand } = await commands.init();
      setExit(await initCommand(name, process.cwd()));
    });

  return program;
}

/**
 * Runs the CLI; resolves to the exit code. User errors print one line each and
 * give 2 (JSON events under --log-format json). A run stopped by Ctrl-C gives 130.
 */
export async function main(argv: string[]): Promise<number> {
  if (jsonRequested(argv, process.env)) setConsolePreferences({ format: 'json' });
  installInterruptHandler((message) => notice(message));
  scrubOutput();
  ignoreClosedOutput();
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(moveLeadingOptions(program, argv), { from: 'user' });
    return isInterrupted() ? EXIT_INTERRUPTED : code;
  } catch (e) {
    // whatever failed on the way out of an interrupted run: it stopped because it was asked to
    if (isInterrupted()) return EXIT_INTERRUPTED;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    return printStopError(e);
  }
}

export { formatPlace };

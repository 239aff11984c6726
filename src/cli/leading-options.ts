import type { Command } from 'commander';

/**
 * dbt users write flags before the command (`dbt --quiet ls`, `tsql -q --target ci build`).
 * Commander reads a command's options only after its name, so the options in front of the
 * command (and of its subcommand: `source freshness`, `docs generate`) are moved behind it.
 * Only options some command declares are moved, with their values; anything else in front
 * (`-v`, `--help`, a typo) leaves the line as it is, for commander to answer.
 */
export function moveLeadingOptions(program: Command, argv: string[]): string[] {
  const takesValue = new Map<string, 'required' | 'optional' | 'none'>();
  const collect = (cmd: Command): void => {
    for (const o of cmd.options) {
      const kind = o.required ? 'required' : o.optional ? 'optional' : 'none';
      for (const flag of [o.long, o.short]) if (flag) takesValue.set(flag, kind);
    }
    cmd.commands.forEach(collect);
  };
  program.commands.forEach(collect);
  const commandNamed = (cmds: readonly Command[], name: string | undefined) => cmds.find((c) => c.name() === name || c.aliases().includes(name ?? ''));

  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    const eq = argv[i].indexOf('=');
    const kind = takesValue.get(eq > 0 ? argv[i].slice(0, eq) : argv[i]);
    if (!kind) return argv;
    i++;
    if (eq > 0 || kind === 'none') continue;
    const next = argv[i];
    if (kind === 'required' || (next !== undefined && !next.startsWith('-') && !commandNamed(program.commands, next))) i++;
  }
  const command = commandNamed(program.commands, argv[i]);
  if (i === 0 || !command) return argv;
  const end = commandNamed(command.commands, argv[i + 1]) ? i + 2 : i + 1;
  return [...argv.slice(i, end), ...argv.slice(0, i), ...argv.slice(end)];
}

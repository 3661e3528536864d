// Commander's usage errors (unknown command or option, missing or extra argument, a value its
// parser refused) as one line in the workbench's words, ending with where to read more: the
// failing command's own --help rather than the top-level list.
import type { Command } from 'commander';
import { terminalSafe } from './format';

/** "tlslab hosts set": the command as the user typed it. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function rootOf(command: Command): Command {
  let c = command;
  while (c.parent) c = c.parent;
  return c;
}

/** The words beyond what the command takes, and a guess at the name they were cut from. */
function excessArguments(command: Command, path: string): string {
  const takes = command.registeredArguments.map((a) => `<${a.name()}>`);
  const extra = command.args.slice(takes.length);
  const raw = (rootOf(command) as Command & { rawArgs?: string[] }).rawArgs ?? [];
  const at = raw.indexOf(extra[0] ?? '');
  const before = at >= 1 ? raw[at - 1] : undefined;
  const flag = at >= 2 ? raw[at - 2] : undefined;
  // --ca Model CA: "CA" is what is left of a name with a space in it.
  if (before !== undefined && !before.startsWith('-') && flag?.startsWith('--') && !flag.includes('=')) {
    return `"${extra.join(' ')}" is more than ${path} takes; a name with spaces goes in quotes: ${flag} "${[before, ...extra].join(' ')}"`;
  }
  const wanted = takes.length === 0 ? 'takes no arguments' : `takes ${takes.length} argument${takes.length === 1 ? '' : 's'} (${takes.join(' ')})`;
  const said = `${path} ${wanted} but got ${command.args.length}: ${command.args.join(' ')}`;
  // Only words can be a name cut in two (sessions show 1 2 is not).
  if (takes.length === 0 || !extra.some((word) => /[a-z]/i.test(word))) return said;
  return `${said}; a name with spaces goes in quotes, like ${takes.length === 1 ? `"${command.args.join(' ')}"` : '"Model CA"'}`;
}

export function usageErrorLine(command: Command, message: string, code: string | undefined): string {
  const path = commandPath(command);
  let suggestion = '';
  let text = message
    .replace(/^error: /, '')
    .replace(/\s*\(Did you mean (.*)\?\)\s*$/s, (_all, names: string) => ((suggestion = ` (did you mean ${names}?)`), ''))
    // An option with a short form ('-o, --out <file>') is named by its long one, as --help lists it.
    .replace(/'-[A-Za-z], (--[^']*)'/, "'$1'");
  if (code === 'commander.excessArguments') text = excessArguments(command, path);
  else if (code === 'commander.missingArgument') text = `${text} (usage: ${path} ${command.usage()})`;
  else if (code === 'commander.optionMissingArgument') text = text.replace(/^option '(\S+) ([^']*)' argument missing$/, '$1 needs a value: $1 $2');
  else if (code === 'commander.missingMandatoryOptionValue') text = text.replace(/^required option '([^']*)' not specified$/, '$1 is required');
  else if (code === 'commander.invalidArgument') {
    const option = /^option '(-[^ ',]*|--[^ ',]*)[^']*' argument '(.*)' is invalid\. (.*)$/s.exec(text);
    const argument = /^command-argument value '(.*)' is invalid for argument '([^']*)'\. (.*)$/s.exec(text);
    if (option) {
      const reason = option[3].replace(/^Allowed choices are (.*)\.$/, 'choose one of $1');
      text = `${option[1]} ${option[2] === '' ? '""' : option[2]}: ${reason.startsWith(`${option[1]} `) ? reason.slice(option[1].length + 1) : reason}`;
    }
    else if (argument) text = argument[3].includes(argument[1]) ? argument[3] : `<${argument[2]}> ${argument[1]}: ${argument[3]}`;
  }
  return terminalSafe(`tlslab: ${text}${suggestion}; see "${path} --help"`.replace(/\n/g, ' '));
}

import type { Command, CommanderError } from 'commander';

// Commander words its errors for any program ("error: missing required argument 'n'"); the tutor
// says the same in one sentence of its own that names the fix. The patterns below read the
// messages of the commander version bundled with the tutor (test/hardening/cli-mistakes.test.ts
// runs each kind of mistake).

/** The argument a command needs, as a learner would type it. */
const examples: Record<string, string> = { n: '3', url: 'http://localhost:3000' };

/** One sentence about what was wrong with the command line, or undefined to keep commander's. */
export function usageSentence(
  err: CommanderError,
  program: Command,
  args: string[],
): string | undefined {
  const typed = args.find((arg) => !arg.startsWith('-'));
  const command = program.commands.find((c) => c.name() === typed);
  const name = command ? `session-tutor ${command.name()}` : 'session-tutor';
  const help = `\`${name} --help\``;
  const text = err.message.replace(/^error: /, '');
  let m: RegExpMatchArray | null;
  switch (err.code) {
    case 'commander.missingArgument': {
      const wanted = text.match(/'(.+)'/)?.[1] ?? '';
      const argument = command?.registeredArguments.find((a) => a.name() === wanted);
      const what = (argument?.description || wanted).split(', such as')[0];
      const article = /^(a|an|your) /.test(what) ? '' : 'a ';
      return `\`${name}\` needs ${article}${what}, such as \`${name} ${examples[wanted] ?? `<${wanted}>`}\`.`;
    }
    case 'commander.invalidArgument':
      m = text.match(/^option '(\S+)[^']*' argument '(.*)' is invalid\. (.*?)\.?$/s);
      if (m) return `${m[1]} ${m[2]} ${m[3]}.`;
      m = text.match(/^command-argument value '(.*)' is invalid for argument '.*'\. (.*?)\.?$/s);
      return m ? `${m[1]} ${m[2]}.` : undefined;
    case 'commander.optionMissingArgument':
      m = text.match(/^option '(\S+) <(.+)>' argument missing/);
      return m
        ? `${m[1]} needs a ${m[2]} after it, such as \`${m[1]} ${examples[m[2]] ?? 3000}\`.`
        : undefined;
    case 'commander.unknownOption': {
      m = text.match(/^unknown option '(.+)'(?:\s*\(Did you mean (.+)\?\))?/s);
      if (!m) return undefined;
      return m[2]
        ? `\`${name}\` has no option ${m[1]}: did you mean ${m[2]}?`
        : `\`${name}\` has no option ${m[1]}; ${help} lists the ones it has.`;
    }
    case 'commander.unknownCommand': {
      m = text.match(/^unknown command '(.+)'(?:\s*\(Did you mean (.+)\?\))?/s);
      if (!m) return undefined;
      return m[2]
        ? `session-tutor has no command ${m[1]}: did you mean ${m[2]}?`
        : `session-tutor has no command ${m[1]}; \`session-tutor --help\` lists the commands.`;
    }
    case 'commander.excessArguments':
      m = text.match(/Expected (\d+) arguments? but got (\d+)/);
      return m
        ? `\`${name}\` takes ${m[1] === '0' ? 'no' : `at most ${m[1]}`} argument${m[1] === '1' ? '' : 's'}, not ${m[2]}; ${help} shows how to use it.`
        : undefined;
    default:
      return undefined;
  }
}
